// The README's config key table, generated from the schema. `npx tsx scripts/config-table.ts` prints it;
// `--write` replaces the table between the config-table markers in README.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { CONFIG_SPEC, toSnake } from '../src/core/config/schema.ts';

const rows = ['| key | default | meaning |', '|---|---|---|'];
for (const [k, s] of Object.entries(CONFIG_SPEC)) {
  const allowed = 'oneOf' in s && s.oneOf ? ` One of ${s.oneOf.map((o) => `\`${o}\``).join(', ')}.` : '';
  rows.push(`| \`${toSnake(k)}\` | \`${JSON.stringify(s.default)}\` | ${s.doc.replace(/\|/g, '\\|')}${allowed} |`);
}
const table = `${rows.join('\n')}\n`;
if (process.argv.includes('--write')) {
  const readme = readFileSync('README.md', 'utf8');
  const re = /(<!-- config-table:start -->\n)[\s\S]*?(<!-- config-table:end -->)/;
  if (!re.test(readme)) throw new Error('README.md has no config-table markers');
  writeFileSync('README.md', readme.replace(re, `$1${table}$2`));
} else {
  process.stdout.write(table);
}
