// Prints the README's config key table from the schema: npx tsx scripts/config-table.ts
import { CONFIG_SPEC, toSnake } from '../src/config/schema.ts';

console.log('| key | default | meaning |\n|---|---|---|');
for (const [k, s] of Object.entries(CONFIG_SPEC)) {
  const allowed = 'oneOf' in s && s.oneOf ? ` One of ${s.oneOf.map((o) => `\`${o}\``).join(', ')}.` : '';
  console.log(`| \`${toSnake(k)}\` | \`${JSON.stringify(s.default)}\` | ${s.doc.replace(/\|/g, '\\|')}${allowed} |`);
}
