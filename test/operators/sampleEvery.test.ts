import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { sampleEvery } from '../../src/operators/sampleEvery.ts';
import type { StepState } from '../../src/core/stepState.ts';
import { state } from './stepFixtures.ts';

describe('sampleEvery', () => {
  it('samples every N steps, on request and at the end', async () => {
    const asked = [false, false, true, false, false];
    let i = 0;
    const out = await lastValueFrom(
      from([state(1), state(2), state(3), state(4), state(5, true)]).pipe(
        sampleEvery(4, async (s) => ({ prompt: '', text: `t${s.step}` }), { requested: () => asked[i++], now: () => 1 }),
        toArray(),
      ),
    );
    expect(out.flatMap((s) => s.events)).toEqual([3, 4, 5].map((step) => ({ type: 'sample', step, time: 1, prompt: '', text: `t${step}` })));
  });

  it('stops the source when unsubscribed early', async () => {
    const src = new Subject<StepState>();
    const sub = src.pipe(sampleEvery(1, async () => ({ prompt: '', text: '' }))).subscribe();
    sub.unsubscribe();
    expect(src.observed).toBe(false);
  });
});
