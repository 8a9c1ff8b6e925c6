import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

describe('versiflow data stats', () => {
  it('token lengths of each document with a char tokenizer (hand-computed), written to --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-stats-'));
    const data = join(dir, 'c.jsonl');
    // 1, 2, 4 and 5 characters (ё is one code point after NFC; 😀 one code point, two UTF-16 units)
    writeFileSync(data, ['a', 'ab', 'e\u0308bcd', 'xy😀zw'].map((text) => JSON.stringify({ text })).join('\n'));
    const r = await cli('data', 'stats', '--data', data, '--tokenizer', 'char', '--out', dir, '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out);
    // lengths 1, 2, 4, 5: mean 3, std √(10/4); p25 at h 0.75 → 1.75; p50 → 3; p75 at 2.25 → 4.25; p95 at 2.85 → 4.85
    expect(s).toMatchObject({ count: 4, mean: 3, min: 1, p25: 1.75, p50: 3, p75: 4.25, max: 5, tokens: 12, chars: 12, chars_per_token: 1, percentiles: 'linear (numpy default)' });
    expect(s.std).toBeCloseTo(Math.sqrt(2.5), 12);
    expect(s.p95).toBeCloseTo(4.85, 12);
    // the file adds the histogram: 30 bins over [1, 5] (no long tail: max ≤ 2·p99), width 2/15 → 1, 2, 4, 5 in bins 0, 7, 22, 29
    const file = JSON.parse(readFileSync(join(dir, 'token_length_stats.json'), 'utf8'));
    expect(file).toEqual({ ...s, histogram: expect.any(Array), histogram_above: { from: 5, count: 0 } });
    expect(file.histogram).toHaveLength(30);
    expect(file.histogram.flatMap((b: { count: number }, i: number) => (b.count ? [[i, b.count]] : []))).toEqual([[0, 1], [7, 1], [22, 1], [29, 1]]);
  });

  it('readable output on the shipped corpus; clear errors', async () => {
    const r = await cli('data', 'stats', '--data', 'data/ru_poetry.parquet', '--tokenizer', 'char', '--max-docs', '100');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^100 documents of data\/ru_poetry\.parquet, \d+ tokens \(char, vocab \d+\); 1\.000 chars per token\n  tokens per document: mean [\d.]+ ± [\d.]+ \| min \d+ \| p25 [\d.]+ \| p50 [\d.]+ \| p75 [\d.]+ \| p95 [\d.]+ \| max \d+\n$/);
    expect((await cli('data', 'stats', '--data', 'data/ru_poetry.parquet')).err).toMatch(/--tokenizer tokenizer\.json\|char is required/);
    expect((await cli('data', 'count')).err).toMatch(/expected the subcommand "stats"/);
    expect((await cli('data', 'stats', '--data', 'data/ru_poetry.parquet', '--tokenizer', '/no/tok.json')).err).toMatch(/does not exist/);
  });
});
