import { describe, expect, it } from 'vitest';
import { addHostMs, readMeter, startMeter } from '../../src/operators/stepMeter.ts';

describe('stepMeter (trainStep bookkeeping)', () => {
  it('reports ms/step, tokens/s, host ms and elapsed since the previous log', () => {
    let m = startMeter(1, 1000); // first step is 1, clock at 1000 ms
    m = addHostMs(addHostMs(m, 3), 5);
    const { meter, reading } = readMeter(m, { step: 2, tokens: 400, t: 1200, totalSteps: 10, first: false });
    expect(reading.ms).toBe(100); // 200 ms over steps 1..2
    expect(reading.tokPerSec).toBe(2000); // 400 tokens in 0.2 s
    expect(reading.hostMs).toBe(4); // 8 ms of host time over 2 steps
    expect(reading.elapsedS).toBeCloseTo(0.2);
    expect(reading.etaS).toBeCloseTo(0.8); // 8 steps left at 100 ms (no history yet)
    expect(meter).toMatchObject({ lastLogMs: 1200, lastLogStep: 2, lastLogTokens: 400, msPerStep: 100, hostMs: 0, logs: 1 });
  });

  it('smooths the ETA 0.7 old + 0.3 new, and the first (warm-up) step does not seed it', () => {
    const a = readMeter(startMeter(1, 0), { step: 1, tokens: 10, t: 5000, totalSteps: 11, first: true });
    expect(a.reading.ms).toBe(5000); // compiling kernels
    expect(a.reading.etaS).toBe(50); // 10 steps at the only pace known
    expect(Number.isNaN(a.meter.msPerStep)).toBe(true);
    const b = readMeter(a.meter, { step: 6, tokens: 60, t: 5500, totalSteps: 11, first: false });
    expect(b.reading.ms).toBe(100);
    expect(b.meter.msPerStep).toBe(100);
    const c = readMeter(b.meter, { step: 7, tokens: 70, t: 5700, totalSteps: 11, first: false });
    expect(c.meter.msPerStep).toBeCloseTo(0.7 * 100 + 0.3 * 200);
    expect(c.reading.etaS).toBeCloseTo((4 * 130) / 1000);
  });

  it('is pure: the meter passed in is unchanged', () => {
    const m = startMeter(5, 0);
    const copy = { ...m };
    readMeter(addHostMs(m, 7), { step: 5, tokens: 1, t: 10, totalSteps: 9, first: true });
    expect(m).toEqual(copy);
  });
});
