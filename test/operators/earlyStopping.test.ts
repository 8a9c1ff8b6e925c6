import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { type StepState, withEvents } from '../../src/core/stepState.ts';
import { earlyStopping } from '../../src/operators/earlyStopping.ts';
import { state } from './stepFixtures.ts';

const evald = (n: number, valLoss: number): StepState => withEvents({ ...state(n, false), valLoss }, { type: 'eval', step: n, time: 0, valLoss, ppl: Math.exp(valLoss), bestValLoss: valLoss });

describe('earlyStopping', () => {
  it('after `patience` evaluations without a new best, makes that step final, warns and halts the source', async () => {
    let halted = 0;
    const steps = [evald(10, 3.0), state(11, false), evald(20, 2.5), evald(30, 2.6), evald(40, 2.5), evald(50, 2.7), evald(60, 1.0)];
    const out = await lastValueFrom(from(steps).pipe(earlyStopping(3, () => halted++, Infinity, () => 9), toArray()));
    const stop = out.find((s) => s.final)!;
    expect(stop.step).toBe(50); // 30, 40 (a tie is not better), 50: three without a new best after 20
    expect(stop.events.at(-1)).toMatchObject({ type: 'warning', step: 50, time: 9 });
    const last = stop.events.at(-1)!;
    expect(last.type === 'warning' ? last.message : '').toMatch(/no new best validation loss \(2\.5000\) in 3 evaluations/);
    expect(halted).toBe(1);
    expect(out.filter((s) => s.final)).toHaveLength(1);
  });

  it('counts from a resumed best, and patience 0 passes everything through', async () => {
    const out = await lastValueFrom(from([evald(10, 2.0)]).pipe(earlyStopping(1, () => undefined, 1.5), toArray()));
    expect(out[0].final).toBe(true);
    const same = [evald(10, 3), evald(20, 4), evald(30, 5)];
    expect(await lastValueFrom(from(same).pipe(earlyStopping(0, () => undefined), toArray()))).toEqual(same);
  });

  it('stops the source when unsubscribed early', () => {
    const src = new Subject<StepState>();
    src.pipe(earlyStopping(2, () => undefined)).subscribe().unsubscribe();
    expect(src.observed).toBe(false);
  });
});
