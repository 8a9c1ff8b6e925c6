import * as tf from '@tensorflow/tfjs';
import { concatMap, finalize, type OperatorFunction } from 'rxjs';
import type { AdamW } from '../model/nn/adamw.ts';
import type { Weights } from '../model/nn/gpt.ts';
import type { GptConfig } from '../core/config/gptConfig.ts';
import { deriveSeed } from '../model/nn/rng.ts';
import { lrAt, type Schedule } from '../model/nn/schedule.ts';
import { gradientStep } from '../model/nn/step.ts';
import { type GuardReading, StepGuard } from '../model/nn/stepGuard.ts';
import { BackendError } from '../core/errors/BackendError.ts';
import { DivergenceError } from '../core/errors/DivergenceError.ts';
import { takeWebgpuError } from '../model/backend/webgpuErrors.ts';
import type { StepInput, StepState } from '../core/stepState.ts';
import type { WarningEvent } from '../core/events.ts';
import { addHostMs, readMeter, type StepMeter, startMeter } from './stepMeter.ts';

export interface TrainStepOptions {
  readonly weights: Weights;
  readonly config: GptConfig;
  readonly optimizer: AdamW;
  readonly schedule: Schedule;
  readonly totalSteps: number;
  /** Read the loss from the device (a sync point) and emit `train/step` every N steps. */
  readonly logEvery: number;
  readonly seed: number;
  /** Rows per forward/backward pass (gradient accumulation); 0 = whole batch. */
  readonly microBatch?: number;
  /** Also log the first step this operator sees (so a slow run shows tokens/s and ETA at once). */
  readonly logFirst?: boolean;
  /** webgpu: measure `gpuBusy` on every N-th logged step (0 = never). @default 10 */
  readonly gpuBusyEvery?: number;
  /** Milliseconds clock, injectable for tests. @default performance.now */
  readonly clock?: () => number;
  /** Wall clock for event times. @default Date.now */
  readonly now?: () => number;
  /**
   * Numerical guard: a step with a non-finite loss or gradient (or, with `spikeFactor` > 0, a loss
   * above spikeFactor × the running mean) is skipped on the device, weights and moments unchanged, and
   * counted; the counts are read at log points (`skippedSteps` on train/step, a `warning` when new
   * ones appear), and `maxBadSteps` skipped steps in a row end the run with a DivergenceError. Without
   * it a non-finite loss at a log step is a DivergenceError at once.
   */
  readonly guard?: { readonly maxBadSteps: number; readonly spikeFactor?: number };
}

/**
 * One AdamW step per batch. Emits one StepState per input; on log steps (every `logEvery`, and the
 * final step) it awaits the loss and grad norm (the only GPU→CPU reads) and adds a `train/step`
 * event with throughput since the previous log and an ETA.
 *
 * @example
 * pullThrough(batchSchedule(examples, opts), trainStep({ weights, config, optimizer, schedule, totalSteps, logEvery: 10, seed }))
 */
export function trainStep(o: TrainStepOptions): OperatorFunction<StepInput, StepState> {
  const clock = o.clock ?? (() => performance.now());
  const now = o.now ?? Date.now;
  return (source) => {
    let tokens = 0;
    let meter: StepMeter | null = null;
    const busyEvery = o.gpuBusyEvery ?? 10;
    const guarded = o.guard && o.guard.maxBadSteps > 0 ? o.guard : null;
    let guard: StepGuard | null = null; // made at the first step, disposed when the stream ends
    let seen: GuardReading | null = null; // the previous log's reading
    let lastLogStep = 0;
    return source.pipe(
      concatMap(async (input): Promise<StepState> => {
        const first = meter === null;
        let m = meter ?? startMeter(input.step, clock());
        if (first) lastLogStep = input.step - 1;
        if (guarded && !guard) guard = new StepGuard({ spikeFactor: guarded.spikeFactor ?? 0 });
        const lr = lrAt(input.step - 1, o.schedule);
        const logStep = input.step % o.logEvery === 0 || input.final || (first && o.logFirst);
        const run = () => gradientStep(o.weights, o.config, o.optimizer, input.batch, lr, deriveSeed(o.seed, input.step), o.microBatch ?? 0, guard ?? undefined);
        // every busyEvery-th log on webgpu: time the step's kernels on the GPU (timestamp queries; that
        // step runs a little slower) for the share of a step the GPU is busy
        const sampleBusy = logStep && busyEvery > 0 && !Number.isNaN(m.msPerStep) && (m.logs + 1) % busyEvery === 0 && tf.getBackend() === 'webgpu';
        const h0 = clock();
        let result: ReturnType<typeof gradientStep> | undefined;
        let gpuBusy: number | undefined;
        if (sampleBusy) {
          const info = await tf.time(() => void (result = run()));
          const kernelMs = Number(info.kernelMs);
          if (kernelMs > 0) gpuBusy = Math.min(1, kernelMs / m.msPerStep);
        } else result = run();
        const { loss, gradNorm } = result!;
        m = addHostMs(m, clock() - h0);
        tokens += input.batch.tokens;
        const base = { step: input.step, epoch: input.epoch, final: input.final, lr, tokens };
        if (!logStep) {
          meter = m;
          tf.dispose([loss, gradNorm]);
          return { ...base, events: [] };
        }
        // sync point: reads the device
        const [lossV, normV, counts] = await Promise.all([loss.data(), gradNorm.data(), guard?.read()]);
        tf.dispose([loss, gradNorm]);
        const gpuError = takeWebgpuError();
        if (gpuError) throw new BackendError(`the GPU rejected work during step ${input.step}, so this step's results are invalid: ${gpuError}. Try a smaller batch_size or micro_batch, or kernels: stock`);
        if (!counts && !Number.isFinite(lossV[0])) throw new DivergenceError(`training loss is ${lossV[0]} at step ${input.step} (lr ${lr.toExponential(2)}): lower lr or raise warmup_steps; a backend problem shows as a difference from --backend cpu`);
        const warnings = counts ? guardWarnings(counts, seen, { step: input.step, since: lastLogStep, maxBadSteps: guarded!.maxBadSteps, lossV: lossV[0], normV: normV[0], lr, time: now() }) : [];
        seen = counts ?? null;
        lastLogStep = input.step;
        const { meter: next, reading } = readMeter(m, { step: input.step, tokens, t: clock(), totalSteps: o.totalSteps, first });
        meter = next;
        const mem = tf.memory();
        return {
          ...base,
          ...(Number.isFinite(lossV[0]) ? { loss: lossV[0] } : {}), // a skipped step's NaN stays in its event
          events: [
            {
              type: 'train/step',
              step: input.step,
              time: now(),
              epoch: input.epoch,
              loss: lossV[0],
              lr,
              gradNorm: normV[0],
              tokens,
              tokPerSec: reading.tokPerSec,
              ms: reading.ms,
              hostMs: reading.hostMs,
              ...(gpuBusy !== undefined ? { gpuBusy } : {}),
              elapsedS: reading.elapsedS,
              etaS: reading.etaS,
              totalSteps: o.totalSteps,
              memBytes: mem.numBytes,
              numTensors: mem.numTensors,
              ...gpuBytes(mem),
              ...(counts ? { skippedSteps: counts.skipped } : {}),
            },
            ...warnings,
          ],
        };
      }),
      finalize(() => {
        guard?.dispose();
        guard = null;
      }),
    );
  };
}

/**
 * At a log point: a warning when steps were skipped since the previous log, and a DivergenceError
 * when `maxBadSteps` of them came in a row (the weights are those of the last applied step).
 */
function guardWarnings(r: GuardReading, prev: GuardReading | null, o: { step: number; since: number; maxBadSteps: number; lossV: number; normV: number; lr: number; time: number }): WarningEvent[] {
  const nonFinite = r.nonFinite - (prev?.nonFinite ?? 0);
  const spikes = r.spikes - (prev?.spikes ?? 0);
  const why = [nonFinite ? `${nonFinite} with a non-finite loss or gradient` : '', spikes ? `${spikes} loss spike${spikes > 1 ? 's' : ''}` : ''].filter(Boolean).join(', ');
  if (r.maxStreak >= o.maxBadSteps) {
    const lr = `lr ${o.lr.toExponential(2)}`;
    const lead = !Number.isFinite(o.lossV)
      ? `training loss is ${o.lossV} at step ${o.step} (${lr})`
      : !Number.isFinite(o.normV)
        ? `training loss is ${o.lossV} but its gradient norm is ${o.normV} at step ${o.step} (${lr})`
        : `${r.maxStreak} steps in a row were skipped by step ${o.step} (${lr}; loss now ${o.lossV})`;
    throw new DivergenceError(
      `${lead}: lower lr or raise warmup_steps; ${r.maxStreak} steps in a row were skipped (max_bad_steps ${o.maxBadSteps}; in this run ${r.nonFinite} with a non-finite loss or gradient, ` +
        `${r.spikes} loss spikes), so the run stops with the weights of the last applied step and its last checkpoint intact; a backend problem shows as a difference from --backend cpu`,
    );
  }
  if (!nonFinite && !spikes) return [];
  const where = o.since + 1 === o.step ? `at step ${o.step}` : `in steps ${o.since + 1}–${o.step}`;
  const message = `skipped ${nonFinite + spikes} step${nonFinite + spikes > 1 ? 's' : ''} ${where} (${why}): weights and moments left unchanged; ${r.skipped} skipped in this run, ${r.streak} in a row now (max_bad_steps ${o.maxBadSteps})`;
  return [{ type: 'warning', step: o.step, time: o.time, message }];
}

/** The webgpu backend's pool size (tf.memory() carries it there); nothing on other backends. */
function gpuBytes(mem: tf.MemoryInfo): { gpuBytes?: number } {
  const held = (mem as tf.MemoryInfo & { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
  return typeof held === 'number' ? { gpuBytes: held } : {};
}
