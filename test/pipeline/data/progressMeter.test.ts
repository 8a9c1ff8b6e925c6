import { describe, expect, it } from 'vitest';
import type { DataProgressEvent } from '../../../src/core/events.ts';
import { progressMeter } from '../../../src/pipeline/data/progressMeter.ts';

describe('progressMeter', () => {
  it('emits at most once per interval with rates since the start and an ETA from the bytes read, then a done event', () => {
    let t = 1_000_000;
    const got: DataProgressEvent[] = [];
    const m = progressMeter({ phase: 'tokenize', totalBytes: 400e6, workers: 3, step: 7, now: () => t, emit: (e) => got.push(e) });
    t += 500;
    m.update(10, 1e6, 300); // too soon: nothing
    t += 1500; // 2 s in
    m.update(2000, 100e6, 30e6);
    t += 200;
    m.update(2100, 105e6, 31e6); // too soon again
    expect(got).toHaveLength(1);
    expect(got[0]).toEqual({ type: 'data/progress', step: 7, time: 1_002_000, phase: 'tokenize', rows: 2000, bytes: 100e6, totalBytes: 400e6, tokens: 30e6, elapsedS: 2, rowsPerSec: 1000, mbPerSec: 50, etaS: 6, workers: 3, done: false });
    t += 6000;
    m.done(8000, 400e6, 120e6);
    expect(got[1]).toMatchObject({ done: true, elapsedS: 8.2, etaS: 0, rows: 8000, mbPerSec: 400 / 8.2 });
  });

  it('has no ETA before any byte is read', () => {
    let t = 0;
    const got: DataProgressEvent[] = [];
    const m = progressMeter({ phase: 'vocab', totalBytes: 10, workers: 1, now: () => t, emit: (e) => got.push(e) });
    t = 5000;
    m.update(0, 0, 0);
    expect(got[0].etaS).toBeNaN();
    expect(got[0].step).toBe(0);
  });
});
