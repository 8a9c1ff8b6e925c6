import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DOC_PATH, configDoc } from '../../scripts/config-table.ts';

describe('docs/config.md', () => {
  it('is what scripts/config-table.ts generates from the schema (regenerate: npx tsx scripts/config-table.ts --write)', () => {
    expect(readFileSync(CONFIG_DOC_PATH, 'utf8')).toBe(configDoc());
  });
});
