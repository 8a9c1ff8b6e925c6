// docs/config.md, generated from the schema (src/core/config/schema.ts): every config key with its
// default and meaning. `npx tsx scripts/config-table.ts` prints the page; `--write` writes it to
// docs/config.md. test/docs/config.test.ts fails when the file differs from what this generates.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONFIG_SPEC, toSnake } from '../src/core/config/schema.ts';

export const CONFIG_DOC_PATH = 'docs/config.md';

/** The key table in Markdown: key, default (as JSON), meaning and, for enum keys, the allowed values. */
export function configTable(): string {
  const rows = ['| key | default | meaning |', '|---|---|---|'];
  for (const [k, s] of Object.entries(CONFIG_SPEC)) {
    const allowed = 'oneOf' in s && s.oneOf ? ` One of ${s.oneOf.map((o) => `\`${o}\``).join(', ')}.` : '';
    rows.push(`| \`${toSnake(k)}\` | \`${JSON.stringify(s.default)}\` | ${s.doc.replace(/\|/g, '\\|')}${allowed} |`);
  }
  return `${rows.join('\n')}\n`;
}

/**
 * The shipped configs (fixed text: `versiflow params` prints the totals, and test/model/nn/zoo.test.ts
 * asserts the published ones from the built model).
 */
const SHIPPED = `## Shipped configs

\`versiflow params --config NAME\` prints each total and its breakdown.

| file | model | parameters |
|---|---|---|
| \`tiny.yaml\` | default: char-level Poetru-family model on the shipped Russian poetry | ≈0.5M (vocab from the corpus) |
| \`75m.yaml\` | Poetru-75M: latent-KV GQA, fused SwiGLU with biases, RMSNorm, RoPE, BPE 24k | 74,899,072 |
| \`25m.yaml\` | Poetru-25M pilot (really 18,079,744; see the file) | 18,079,744 |
| \`smollm2-135m.yaml\` | SmolLM2-135M on tiny Shakespeare | 134,515,008 |
| \`gpt2-preln-136m.yaml\` | GPT-2 pre-LN, learned positions, GELU, warmup-stable-decay | 136,128,000 |
| \`char-10m.yaml\` | nanoGPT char model | 10,797,312 |
| \`classics-46m.yaml\` | nanoGPT BPE model of Russian classics | 46,215,680 |
| \`minitron-48m.yaml\` | Mini-Tron-50 dialogue model: RMSNorm, learned 1024 × 512 positions, GELU | 48,376,320 (47,852,032 without the position table: the published 47.85M) |
| \`french-40m.yaml\` | French poetry, 128-token BPE | 39,898,944 |
`;

/** The whole of docs/config.md: a header saying it is generated, the key table, the shipped configs. */
export function configDoc(): string {
  return [
    '# Configuration',
    '',
    'Generated from the schema (`src/core/config/schema.ts`) by `scripts/config-table.ts`; do not edit by',
    'hand. Regenerate with `npx tsx scripts/config-table.ts --write` (test/docs/config.test.ts fails when',
    'this file is out of date).',
    '',
    'Configs are YAML files in `configs/` with flat `snake_case` keys. Every key is optional with the default',
    'below; a key that is not in this table is an error naming the file and the key. Flags override the file',
    '(`--key-name value`, `--no-key` for false). `versiflow config [--config NAME]` prints every key with its',
    'resolved value; the resolved config is printed at run start and stored in every checkpoint.',
    '',
    '## Keys',
    '',
    configTable(),
    SHIPPED,
  ].join('\n');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) writeFileSync(CONFIG_DOC_PATH, configDoc());
  else process.stdout.write(configDoc());
}
