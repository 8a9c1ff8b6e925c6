import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseGenJsonl } from '../../src/eval/genRecords.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'vf-poetry-'));
// generated: an unrhymed tercet (6 6 6 syllables); real: an AABB quatrain (8 each) and an ABAB one (8 7 8 7 by our count)
const gen = join(dir, 'gen.jsonl');
writeFileSync(gen, `${JSON.stringify({ id: 0, prompt: 'The wind', text: ' is cold tonight\nAnd nobody is here\nI watch the empty road', token_ids: [] })}\n`);
const real = join(dir, 'real.jsonl');
writeFileSync(
  real,
  [
    'The morning light is on the hill,\nThe river runs beside the mill,\nAnd all the birds begin to sing\nA welcome to the early spring.',
    'I saw the moon above the sea,\nA silver lamp for you,\nIt shone upon the sleeping tree\nAnd on the morning dew.',
  ].map((text) => JSON.stringify({ text })).join('\n'),
);
let ckpt = '';

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

beforeAll(async () => {
  ckpt = await writeTestCheckpoint();
});

describe('versiflow eval poetry', () => {
  it('--texts gen.jsonl --real FILE --json: both columns, language detected from the real poems', async () => {
    const r = await cli('eval', 'poetry', '--texts', gen, '--real', real, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.language).toBe('en');
    expect(m.generated).toEqual({ poems: 1, language: 'en', lines_per_poem: 3, rhyme_rate: 0, aa_rate: 0, abab_rate: 0, syllables_per_line: 6, syllable_cv: 0 });
    // poem 1: AABB (aa 2/3, abab 0/2); poem 2: sea/tree, you/dew (aa 0/3, abab 2/2); syllables 8 8 8 8 and 8 6 8 6
    expect(m.real.poems).toBe(2);
    expect(m.real.rhyme_rate).toBe(1);
    expect(m.real.aa_rate).toBeCloseTo(1 / 3, 12);
    expect(m.real.abab_rate).toBe(0.5);
    expect(m.real.syllables_per_line).toBe(7.5);
    expect(m.real.syllable_cv).toBeCloseTo((0 + 1 / 7) / 2, 12);
  });

  it('prints a table with the two columns', async () => {
    const r = await cli('eval', 'poetry', '--texts', gen, '--real', real, '--language', 'en');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^poetry metrics \(en\) of .*gen\.jsonl vs .*real\.jsonl\n/);
    expect(r.out).toMatch(/generated +real\n/);
    expect(r.out).toMatch(/rhyme rate \(lines in an AA or ABAB pair\) +0\.0% +100\.0%/);
    expect(r.out).toMatch(/lines per poem +3\.0 +4\.0/);
  });

  it('--checkpoint --generate N: generates, keeps gen.jsonl with --out, compares with the run\'s held-out poems', async () => {
    const out = join(dir, 'g.jsonl');
    const r = await cli('eval', 'poetry', '--checkpoint', ckpt, '--generate', '3', '--max-new-tokens', '30', '--backend', 'cpu', '--out', out, '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.language).toBe('ru'); // the checkpoint's corpus: data/ru_poetry.parquet
    expect(m.generated.poems).toBe(3);
    expect(parseGenJsonl(readFileSync(out, 'utf8'))).toHaveLength(3);
    expect(m.real.poems).toBeGreaterThan(50);
    expect(m.real.rhyme_rate).toBeGreaterThan(0.5); // classical Russian verse rhymes
    expect(m.real.syllable_cv).toBeLessThan(0.2);
  });

  it('says what is wrong', async () => {
    expect((await cli('eval', 'poetry', '--real', real)).err).toMatch(/give one of --texts gen.jsonl or --checkpoint PATH --generate N/);
    expect((await cli('eval', 'poetry', '--texts', gen, '--real-from', 'val')).err).toMatch(/--real-from val needs --checkpoint/);
    expect((await cli('eval', 'poetry', '--texts', gen, '--language', 'de')).err).toMatch(/--language must be auto or one of ru, fr, en/);
  });
});
