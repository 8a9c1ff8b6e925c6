import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { StepState } from '../../src/core/stepState.ts';
import { saveBestBy } from '../../src/operators/saveBestBy.ts';
import { state } from './stepFixtures.ts';

describe('saveBestBy', () => {
  it('saves only at steps whose score beats every earlier one (higher is better); null = not measured', async () => {
    const scores: Record<number, number | null> = { 1: null, 2: 0.2, 3: 0.1, 4: null, 5: 0.5, 6: 0.5 };
    const out = await lastValueFrom(
      from([1, 2, 3, 4, 5, 6].map((n) => state(n))).pipe(
        saveBestBy((s) => scores[s.step], async (s) => ({ path: `/best/${s.step}`, bytes: 3 }), () => 7),
        toArray(),
      ),
    );
    expect(out.flatMap((s) => s.events).map((e) => (e.type === 'checkpoint' ? `${e.path}@${e.time}` : ''))).toEqual(['/best/2@7', '/best/5@7']);
  });

  it('with initialBest (read at subscription) saves only scores above it', async () => {
    let start = -Infinity;
    const op = saveBestBy((s) => s.step / 10, async (s) => ({ path: `/best/${s.step}`, bytes: 1 }), () => 0, () => start);
    start = 0.25; // measured after the pipeline was built, before it runs
    const out = await lastValueFrom(from([1, 2, 3].map((n) => state(n))).pipe(op, toArray()));
    expect(out.flatMap((s) => s.events).map((e) => (e.type === 'checkpoint' ? e.path : ''))).toEqual(['/best/3']);
  });

  it('stops the source when unsubscribed early', () => {
    const src = new Subject<StepState>();
    src.pipe(saveBestBy(() => 1, async () => ({ path: '', bytes: 0 }))).subscribe().unsubscribe();
    expect(src.observed).toBe(false);
  });
});
