import { map, type OperatorFunction } from 'rxjs';
import { type StepState, withEvents } from '../core/stepState.ts';

/**
 * The preference run's drift guard: watches each `pref/step` event's mean per-token log-ratio
 * log π − log π_ref (and KTO's z_ref) and adds a `warning` when it leaves ±`bound` nats, once per
 * excursion (it re-arms when the figure comes back inside). The failure it names: the reference KTO
 * run reached validation accuracy 1.000 while z_ref fell to −37 nats and its generations had turned
 * to nonsense — preference accuracy alone does not show the policy leaving the reference.
 * `bound` 0 = off.
 *
 * @example
 * steps$.pipe(driftGuard(1.0))
 */
export function driftGuard(bound: number, now: () => number = Date.now): OperatorFunction<StepState, StepState> {
  return (source) => {
    let outside = false;
    return source.pipe(
      map((s) => {
        if (bound <= 0) return s;
        const e = s.events.find((x) => x.type === 'pref/step');
        if (e?.type !== 'pref/step') return s;
        const drift = Math.max(Math.abs(e.logRatio), Math.abs(e.zRef ?? 0));
        const wasOutside = outside;
        outside = !(drift <= bound); // NaN counts as outside
        if (!outside || wasOutside) return s;
        const zRef = e.zRef !== undefined ? `, z_ref ${e.zRef.toFixed(3)}` : '';
        const message =
          `the policy is drifting from the reference model at step ${e.step}: mean log-ratio ${e.logRatio.toFixed(3)} nats/token${zRef} (pref_drift_bound ${bound}). ` +
          'Preference accuracy can stay perfect while generations turn to nonsense (the reference KTO run: accuracy 1.000 with z_ref at −37): check the samples and the quality score of eval/pref, lower lr or raise pref_beta; the best-quality checkpoint is kept in best/';
        return withEvents(s, { type: 'warning', step: e.step, time: now(), message });
      }),
    );
  };
}
