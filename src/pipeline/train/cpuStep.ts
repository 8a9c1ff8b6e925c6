import type { GptConfig } from '../../core/config/gptConfig.ts';
import { fastestCpuStep, layersToRecompute, type CpuStepPlan } from '../../model/nn/recomputePlan.ts';
import { autoMicroBatch, checkCpuMicroBatch, cpuMemoryLimit, HEADROOM } from './memoryPlan.ts';

/**
 * Micro-batch and blocks recomputed of a training step on a CPU backend (wasm, cpu): an explicit
 * `micro_batch` is checked against the memory plan and recomputes as few blocks as fit it; otherwise
 * the cheapest split of the batch that fits (fastestCpuStep). Other backends: autoMicroBatch, every
 * block as the model runs it (recompute applies on the CPU backends only).
 */
export function planCpuStep(gpt: GptConfig, batch: number, context: number, microBatch: number, backend: string, maxBindingBytes?: number): CpuStepPlan {
  if (backend !== 'wasm' && backend !== 'cpu') return { microBatch: microBatch || autoMicroBatch(gpt, batch, context, backend, maxBindingBytes), recompute: Infinity };
  const budget = cpuMemoryLimit(backend) * HEADROOM;
  if (microBatch) {
    const m = checkCpuMicroBatch(gpt, batch, microBatch, context, backend);
    const rows = Math.min(batch, m || batch);
    return { microBatch: m, recompute: layersToRecompute(gpt, rows, context, rows < batch, budget) };
  }
  return fastestCpuStep(gpt, batch, context, autoMicroBatch(gpt, batch, context, backend), budget);
}
