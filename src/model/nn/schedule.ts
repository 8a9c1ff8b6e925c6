import type { ScheduleKind } from '../../core/config/schema.ts';

/**
 * Learning-rate schedules as pure functions of the step (0-based). All warm up linearly from
 * lr/warmup to lr over `warmup` steps.
 * - cosine: then cosine decay to minLr at `total`.
 * - wsd (warmup-stable-decay, as in llm.c): constant lr until the last `decayFraction` of the run,
 *   then linear decay to minLr.
 * - linear: then linear decay to minLr.
 * - constant: lr after warmup.
 */
export interface Schedule {
  readonly kind: ScheduleKind;
  readonly lr: number;
  readonly minLr: number;
  readonly warmup: number;
  readonly total: number;
  readonly decayFraction?: number;
}

export function lrAt(step: number, s: Schedule): number {
  if (step < s.warmup) return (s.lr * (step + 1)) / s.warmup;
  if (s.kind === 'constant' || step >= s.total) return s.kind === 'constant' ? s.lr : s.minLr;
  const span = Math.max(1, s.total - s.warmup);
  const progress = (step - s.warmup) / span; // 0 → 1
  switch (s.kind) {
    case 'cosine':
      return s.minLr + (s.lr - s.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    case 'linear':
      return s.lr + (s.minLr - s.lr) * progress;
    case 'wsd': {
      const decaySteps = Math.max(1, Math.round((s.decayFraction ?? 0.2) * s.total));
      const decayStart = s.total - decaySteps;
      if (step < decayStart) return s.lr;
      return s.lr + (s.minLr - s.lr) * ((step - decayStart) / decaySteps);
    }
  }
}
