import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { StepState } from '../../src/core/stepState.ts';
import { watermarkEvalEvery } from '../../src/operators/watermarkEvalEvery.ts';
import { state } from './stepFixtures.ts';

const figures = (step: number) => ({ auc: 0.5 + step / 10, f1: 0.25, meanZGenerated: step, meanZReal: -step });

describe('watermarkEvalEvery', () => {
  it('evaluates every N steps and on the final step, adding an eval/watermark event', async () => {
    const seen: number[] = [];
    const out = await lastValueFrom(
      from([state(1), state(2), state(3), state(4), state(5, true)]).pipe(
        watermarkEvalEvery(2, async (s) => (seen.push(s.step), figures(s.step)), () => 9),
        toArray(),
      ),
    );
    expect(seen).toEqual([2, 4, 5]);
    expect(out.map((s) => s.events.length)).toEqual([0, 1, 0, 1, 1]);
    expect(out[1].events[0]).toEqual({ type: 'eval/watermark', step: 2, time: 9, ...figures(2) });
  });

  it('keeps the order of states while a slow evaluation is pending; every 0 = the final step only', async () => {
    const slow = () => new Promise<ReturnType<typeof figures>>((r) => setTimeout(() => r(figures(3)), 20));
    const out = await lastValueFrom(from([state(1), state(2), state(3, true)]).pipe(watermarkEvalEvery(0, slow, () => 1), toArray()));
    expect(out.map((s) => s.step)).toEqual([1, 2, 3]);
    expect(out.flatMap((s) => s.events)).toEqual([{ type: 'eval/watermark', step: 3, time: 1, ...figures(3) }]);
  });

  it('a negative every passes every state through untouched', async () => {
    const out = await lastValueFrom(from([state(1), state(2, true)]).pipe(watermarkEvalEvery(-1, async () => figures(0)), toArray()));
    expect(out).toEqual([state(1), state(2, true)]);
  });

  it('stops the source when unsubscribed early', async () => {
    const src = new Subject<StepState>();
    const sub = src.pipe(watermarkEvalEvery(1, async () => figures(1))).subscribe();
    src.next(state(1));
    sub.unsubscribe();
    expect(src.observed).toBe(false);
  });
});
