import { describe, expect, it } from 'vitest';
import type { Example } from '../../../src/core/batch.ts';
import { scoringBatches, validationBatches } from '../../../src/pipeline/data/scoringBatches.ts';

/** An example of context T whose first `len` targets count. */
const ex = (len: number, T = 128): Example => ({ ids: new Int32Array(T + 1).fill(1), mask: Float32Array.from({ length: T }, (_, t) => (t < len ? 1 : 0)) });

describe('scoringBatches / validationBatches', () => {
  const val = [100, 10, 90, 20, 5, 70, 30].map((n) => ex(n));

  it('keeps every token either way: trimmed batches by length, or chunks in order', () => {
    const trimmed = scoringBatches(val, { batchSize: 2, trimPadding: true });
    const plain = scoringBatches(val, { batchSize: 2, trimPadding: false });
    const tokens = (bs: { tokens: number }[]) => bs.reduce((n, b) => n + b.tokens, 0);
    expect(tokens(trimmed)).toBe(325);
    expect(tokens(plain)).toBe(325);
    expect(plain.map((b) => b.T)).toEqual([128, 128, 128, 128]);
    expect(Math.max(...trimmed.map((b) => b.T))).toBe(128);
    expect(Math.min(...trimmed.map((b) => b.T))).toBe(64); // short rows no longer pay for long ones
  });

  it('validation uses full batches only, at most eval_batches of them', () => {
    expect(validationBatches(val, { batchSize: 2, trimPadding: false, evalBatches: 0 }).map((b) => b.B)).toEqual([2, 2, 2]);
    expect(validationBatches(val, { batchSize: 2, trimPadding: false, evalBatches: 2 }).map((b) => b.tokens)).toEqual([110, 110]);
    expect(validationBatches(val.slice(0, 1), { batchSize: 4, trimPadding: false, evalBatches: 0 }).map((b) => b.B)).toEqual([1]); // one short batch
  });
});
