import { basename, dirname, resolve } from 'node:path';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { lrAt, type Schedule } from '../../model/nn/schedule.ts';
import { openCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';
import type { Resume } from './resume.ts';
import { scheduleOf, totalStepsOf } from './runPlan.ts';

/**
 * The schedule of a WSD decay-only tail: `decaySteps` steps after step `start` (the checkpoint's),
 * linear from `peak` to `minLr`. It is the decay segment of a full WSD schedule of start + decaySteps
 * steps whose decay begins at `start` (lrAt's wsd with decayFraction decaySteps / total), so step
 * start + k (1-based, lr index start + k − 1) gets peak + (minLr − peak) · (k − 1) / decaySteps.
 */
export function decayTailSchedule(peak: number, minLr: number, start: number, decaySteps: number): Schedule {
  const total = start + decaySteps;
  return { kind: 'wsd', lr: peak, minLr, warmup: 0, total, decayFraction: decaySteps / total };
}

/** A tail ready to run: the checkpoint it branches from, its schedule, its length, its run directory. */
export interface DecayTail {
  readonly resume: Resume;
  readonly schedule: Schedule;
  readonly totalSteps: number;
  readonly runDir: string;
  /** The learning rate the stable run had at the checkpoint (the tail's first). */
  readonly peak: number;
}

/**
 * `decay_from` + `decay_steps`: opens the stable-phase checkpoint and plans the tail. The peak is the
 * learning rate the stable run would use for its next step (its own config's schedule at the
 * checkpoint's step), so a tail continues exactly where the stable phase was; a checkpoint saved in
 * warmup or in the decay is refused. The run directory is `out` when it is not the stable run's, else
 * the sibling `<stable run>-tail-<step>-<decay_steps>`.
 */
export async function openDecayTail(cfg: Config): Promise<DecayTail> {
  const where = `decay_from ${cfg.decayFrom}`;
  if (cfg.resume) throw new ConfigError(`${where}: set either decay_from or resume, not both (a tail is started with decay_from; resume an interrupted tail with resume and its own out)`);
  if (cfg.decaySteps < 1) throw new ConfigError(`${where}: decay_steps must be at least 1 (the tail's length in steps)`);
  const { dir, checkpoint, skipped } = await openCheckpoint(cfg.decayFrom, resolve(cfg.decayFrom));
  const saved = normalizeConfig(checkpoint.state.config, `${dir}/state.json`);
  const step = checkpoint.state.step;
  const stable = scheduleOf(saved, totalStepsOf(saved, checkpoint.state.data.trainExamples));
  if (saved.schedule !== 'wsd' && saved.schedule !== 'constant') {
    throw new ConfigError(`${where}: ${dir} was trained with schedule ${saved.schedule}; a decay-only tail continues a wsd (or constant) run's stable phase`);
  }
  const decayStart = saved.schedule === 'wsd' ? stable.total - Math.max(1, Math.round((stable.decayFraction ?? 0.2) * stable.total)) : Infinity;
  if (step < stable.warmup || step >= decayStart) {
    const phase = step < stable.warmup ? `in its warmup (steps 1..${stable.warmup})` : `in its decay (from step ${decayStart + 1})`;
    throw new ConfigError(`${where}: ${dir} is at step ${step}, ${phase}; branch a tail from a stable-phase checkpoint (steps ${stable.warmup}..${decayStart - 1})`);
  }
  const peak = lrAt(step, stable);
  const stableRun = basename(dirname(dir)) === 'checkpoints' ? dirname(dirname(dir)) : dir;
  const out = cfg.out ? resolve(cfg.out) : '';
  const runDir = out && out !== stableRun ? out : `${stableRun}-tail-${step}-${cfg.decaySteps}`;
  return {
    resume: { dir, checkpoint, skipped },
    schedule: decayTailSchedule(peak, cfg.lr * cfg.minLrRatio, step, cfg.decaySteps),
    totalSteps: step + cfg.decaySteps,
    runDir,
    peak,
  };
}
