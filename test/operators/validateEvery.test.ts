import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { validateEvery } from '../../src/operators/validateEvery.ts';
import type { StepState } from '../../src/core/stepState.ts';
import { state } from './stepFixtures.ts';

describe('validateEvery', () => {
  it('evaluates every N steps and on the final step, tracking the best loss', async () => {
    const losses = [3, 2, 2.5];
    let k = 0;
    const out = await lastValueFrom(
      from([state(1), state(2), state(3), state(4), state(5, true)]).pipe(
        validateEvery(2, async () => losses[k++], () => 7),
        toArray(),
      ),
    );
    expect(out.map((s) => s.valLoss)).toEqual([undefined, 3, undefined, 2, 2.5]);
    expect(out[4].events).toEqual([{ type: 'eval', step: 5, time: 7, valLoss: 2.5, ppl: Math.exp(2.5), bestValLoss: 2 }]);
  });

  it('continues from a resumed run\'s best loss', async () => {
    const out = await lastValueFrom(from([state(1, true)]).pipe(validateEvery(1, async () => 2.5, () => 0, 2.1), toArray()));
    expect(out[0].events[0]).toMatchObject({ valLoss: 2.5, bestValLoss: 2.1 });
  });

  it('with every = 0 evaluates only at the end', async () => {
    const out = await lastValueFrom(from([state(1), state(2, true)]).pipe(validateEvery(0, async () => 1), toArray()));
    expect(out.map((s) => s.events.length)).toEqual([0, 1]);
  });

  it('stops the source when unsubscribed early', async () => {
    const src = new Subject<StepState>();
    const sub = src.pipe(validateEvery(1, async () => 1)).subscribe();
    src.next(state(1));
    sub.unsubscribe();
    expect(src.observed).toBe(false);
  });
});
