import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { lrAt } from '../../../src/model/nn/schedule.ts';
import { scheduleOf, totalStepsOf } from '../../../src/pipeline/train/runPlan.ts';

describe('run plan', () => {
  it('takes max_steps, or epochs over the training examples', () => {
    expect(totalStepsOf({ maxSteps: 50, epochs: 3, batchSize: 4 }, 1000)).toBe(50);
    expect(totalStepsOf({ maxSteps: 0, epochs: 2, batchSize: 4 }, 100)).toBe(50); // 25 batches an epoch
    expect(totalStepsOf({ maxSteps: 0, epochs: 0.01, batchSize: 4 }, 10)).toBe(1); // at least one step
  });

  it('builds the schedule from the optim keys: warmup_steps, else warmup_ratio of the run', () => {
    const cfg = normalizeConfig({ lr: 1e-3, min_lr_ratio: 0.1, warmup_ratio: 0.1, schedule: 'wsd', decay_ratio: 0.2 });
    const s = scheduleOf(cfg, 200);
    expect(s).toEqual({ kind: 'wsd', lr: 1e-3, minLr: 1e-4, warmup: 20, total: 200, decayFraction: 0.2 });
    expect(lrAt(100, s)).toBe(1e-3); // stable phase
    expect(scheduleOf({ ...cfg, warmupSteps: 7 }, 200).warmup).toBe(7);
  });
});
