import { from, lastValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { PrefStepEvent } from '../../src/core/events.ts';
import { type StepState, withEvents } from '../../src/core/stepState.ts';
import { driftGuard } from '../../src/operators/driftGuard.ts';
import { state } from './stepFixtures.ts';

/** A step carrying a KTO pref/step event with this mean log-ratio and z_ref. */
function kto(step: number, logRatio: number, zRef: number): StepState {
  const e: PrefStepEvent = {
    type: 'pref/step', step, time: 0, task: 'kto', loss: 0.4, lr: 5e-6, gradNorm: 1, rewardsChosen: 0.1, rewardsRejected: -0.1, margin: 0.2,
    logpsChosen: -30, logpsRejected: -60, logRatio, z: Math.max(0, zRef), zRef, ms: 1, elapsedS: 1, etaS: 1, totalSteps: 100,
  };
  return withEvents(state(step), e);
}

const warnings = (out: StepState[]) => out.flatMap((s) => s.events).filter((e) => e.type === 'warning');

describe('driftGuard', () => {
  it("fires once when the reference run's trajectory leaves the bound (z_ref sliding to −37), re-arms when it comes back", async () => {
    // the mean log-ratio falls 0 → −2 nats/token over steps 1..20 while the EMA z_ref follows it down
    const steps: StepState[] = [];
    let zRef = 0;
    for (let s = 1; s <= 20; s++) {
      const r = -s / 10;
      zRef = 0.99 * zRef + 0.01 * r;
      steps.push(kto(s, r, zRef));
    }
    steps.push(kto(21, 0.1, 0), kto(22, -37, -37)); // back inside, then the documented −37
    const out = await lastValueFrom(from(steps).pipe(driftGuard(1.0, () => 5), toArray()));
    const w = warnings(out);
    expect(w.map((e) => e.step)).toEqual([11, 22]); // |−1.1| > 1 first at step 11; once per excursion
    expect(w[0].type === 'warning' && w[0].message).toContain('mean log-ratio -1.100 nats/token');
    expect(w[1].type === 'warning' && w[1].message).toContain('z_ref -37.000');
    expect(w[0].time).toBe(5);
  });

  it('watches z_ref too, treats NaN as outside, and is off with bound 0', async () => {
    const out = await lastValueFrom(from([kto(1, 0.2, -3), kto(2, NaN, 0)]).pipe(driftGuard(2), toArray()));
    expect(warnings(out).map((e) => e.step)).toEqual([1]); // step 2 is still outside: no second warning
    const off = await lastValueFrom(from([kto(1, -50, -50)]).pipe(driftGuard(0), toArray()));
    expect(warnings(off)).toEqual([]);
  });

  it('passes steps without a pref/step event through unchanged', async () => {
    const s = state(3);
    const [out] = await lastValueFrom(from([s]).pipe(driftGuard(1), toArray()));
    expect(out).toBe(s);
  });

  it('stops the source when unsubscribed early', () => {
    const src = new Subject<StepState>();
    src.pipe(driftGuard(1)).subscribe().unsubscribe();
    expect(src.observed).toBe(false);
  });
});
