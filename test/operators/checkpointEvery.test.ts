import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointEvery } from '../../src/operators/checkpointEvery.ts';
import { type StepState, withEvents } from '../../src/core/stepState.ts';
import { state } from './stepFixtures.ts';

describe('checkpointEvery', () => {
  it('saves every N steps and at the end, one save at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const save = async (s: StepState) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return { path: `/ck/${s.step}`, bytes: 10 };
    };
    const out = await lastValueFrom(from([1, 2, 3, 4, 5].map((n) => state(n, n === 5))).pipe(checkpointEvery(2, save, () => 0), toArray()));
    expect(out.flatMap((s) => s.events).map((e) => (e.type === 'checkpoint' ? e.path : ''))).toEqual(['/ck/2', '/ck/4', '/ck/5']);
    expect(maxInFlight).toBe(1);
  });

  it('with onlyOnImprovement saves periodic steps only when their evaluation set a new best; the final step always', async () => {
    const evald = (n: number, valLoss: number, best: number, final = false): StepState =>
      withEvents({ ...state(n, final), valLoss }, { type: 'eval', step: n, time: 0, valLoss, ppl: Math.exp(valLoss), bestValLoss: best });
    const steps = [evald(2, 2.0, 2.0), state(3), evald(4, 2.5, 2.0), evald(6, 1.9, 1.9), evald(8, 2.2, 1.9, true)];
    const save = async (s: StepState) => ({ path: `/ck/${s.step}`, bytes: 1 });
    const out = await lastValueFrom(from(steps).pipe(checkpointEvery(2, save, { now: () => 0, onlyOnImprovement: true }), toArray()));
    expect(out.flatMap((s) => s.events).filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([2, 6, 8]);
  });

  it('propagates a failed save as an error', async () => {
    const p = lastValueFrom(from([state(1, true)]).pipe(checkpointEvery(0, async () => Promise.reject(new Error('disk full')))));
    await expect(p).rejects.toThrow('disk full');
  });

  it('stops the source when unsubscribed early', async () => {
    const src = new Subject<StepState>();
    const sub = src.pipe(checkpointEvery(1, async () => ({ path: '', bytes: 0 }))).subscribe();
    sub.unsubscribe();
    expect(src.observed).toBe(false);
  });
});
