import * as tf from '@tensorflow/tfjs';
import { concatMap, type OperatorFunction } from 'rxjs';
import type { AdamW } from '../model/nn/adamw.ts';
import type { Weights } from '../model/nn/gpt.ts';
import type { GptConfig } from '../model/nn/gptConfig.ts';
import { deriveSeed } from '../model/nn/rng.ts';
import { lrAt, type Schedule } from '../model/nn/schedule.ts';
import { gradientStep } from '../model/nn/step.ts';
import { BackendError } from '../core/errors/BackendError.ts';
import { DivergenceError } from '../core/errors/DivergenceError.ts';
import { takeWebgpuError } from '../model/backend/webgpuErrors.ts';
import type { StepInput, StepState } from '../core/stepState.ts';
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
    return source.pipe(
      concatMap(async (input): Promise<StepState> => {
        const first = meter === null;
        let m = meter ?? startMeter(input.step, clock());
        const lr = lrAt(input.step - 1, o.schedule);
        const logStep = input.step % o.logEvery === 0 || input.final || (first && o.logFirst);
        const run = () => gradientStep(o.weights, o.config, o.optimizer, input.batch, lr, deriveSeed(o.seed, input.step), o.microBatch ?? 0);
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
        const [lossV, normV] = await Promise.all([loss.data(), gradNorm.data()]);
        tf.dispose([loss, gradNorm]);
        const gpuError = takeWebgpuError();
        if (gpuError) throw new BackendError(`the GPU rejected work during step ${input.step}, so this step's results are invalid: ${gpuError}. Try a smaller batch_size or micro_batch, or kernels: stock`);
        if (!Number.isFinite(lossV[0])) throw new DivergenceError(`training loss is ${lossV[0]} at step ${input.step} (lr ${lr.toExponential(2)}): lower lr or raise warmup_steps; a backend problem shows as a difference from --backend cpu`);
        const { meter: next, reading } = readMeter(m, { step: input.step, tokens, t: clock(), totalSteps: o.totalSteps, first });
        meter = next;
        const mem = tf.memory();
        return {
          ...base,
          loss: lossV[0],
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
            },
          ],
        };
      }),
    );
  };
}

/** The webgpu backend's pool size (tf.memory() carries it there); nothing on other backends. */
function gpuBytes(mem: tf.MemoryInfo): { gpuBytes?: number } {
  const held = (mem as tf.MemoryInfo & { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU;
  return typeof held === 'number' ? { gpuBytes: held } : {};
}
