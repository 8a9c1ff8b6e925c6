import type { Config } from '../../core/config/schema.ts';
import type { Schedule } from '../../model/nn/schedule.ts';
import { stepsPerEpoch } from '../../streams/sources/batchSchedule.ts';

/** Steps of the run: max_steps, or `epochs` passes over `trainExamples` at batch_size. */
export function totalStepsOf(cfg: Pick<Config, 'maxSteps' | 'epochs' | 'batchSize'>, trainExamples: number): number {
  return cfg.maxSteps || Math.max(1, Math.ceil(cfg.epochs * stepsPerEpoch(trainExamples, cfg.batchSize)));
}

/** The learning-rate schedule of a run of `total` steps (warmup_steps, or warmup_ratio of it). */
export function scheduleOf(cfg: Pick<Config, 'schedule' | 'lr' | 'minLrRatio' | 'warmupSteps' | 'warmupRatio' | 'decayRatio'>, total: number): Schedule {
  return {
    kind: cfg.schedule,
    lr: cfg.lr,
    minLr: cfg.lr * cfg.minLrRatio,
    warmup: cfg.warmupSteps || Math.round(cfg.warmupRatio * total),
    total,
    decayFraction: cfg.decayRatio,
  };
}
