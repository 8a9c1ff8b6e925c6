import type { Config } from '../../core/config/schema.ts';
import { paramBreakdown, trainingMemory } from '../../model/nn/gptBreakdown.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { cpuTrainingMemory, type CpuTrainingMemory } from '../../model/nn/cpuTrainingMemory.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { totalmem } from 'node:os';

/**
 * Rows per pass (0 = the whole batch). CPU backends (wasm, cpu): the largest micro-batch whose
 * step fits the backend's memory by `cpuMemoryPlan`, or a ConfigError before step 0 when not even
 * one row fits. GPU backends get the whole batch unless the largest tensor of a pass (the logits, or
 * the stock attention's scores) exceeds the adapter's storage binding limit; set micro_batch to override.
 */
export function autoMicroBatch(c: GptConfig, batch: number, context: number, backend: string, maxBindingBytes = Infinity): number {
  if (backend === 'wasm' || backend === 'cpu') return cpuMemoryPlan(c, batch, context, backend).microBatch;
  // A GPU binds each tensor whole: the largest one of a pass — the logits [rows·T, V], or the stock
  // attention's scores [rows, H, T, T] — must fit the adapter's storage binding limit.
  const largestPerRow = 4 * context * Math.max(c.vocabSize, c.heads * context);
  const rows = Math.floor(maxBindingBytes / largestPerRow);
  if (rows >= batch) return 0;
  return equalParts(batch, rows);
}

/** As few micro-batches as fit `rows`, of equal size where the batch allows (64 → 32 + 32, not 43 + 21). */
function equalParts(batch: number, rows: number): number {
  const parts = Math.ceil(batch / Math.max(1, rows));
  return Math.ceil(batch / parts);
}

/**
 * The most the tfjs wasm heap can grow to: tfjs-backend-wasm 4.22's Emscripten builds (simd and
 * threaded-simd) report getHeapMax() = 4294901760 bytes, 4 GiB − 64 KiB (wasm32 addressing). Past it
 * malloc fails: tfjs writes the tensor at offset 0 or Emscripten aborts (`Aborted()`, the char-10m
 * report of issue #20). Checked: 256 MiB tensors up to 3,936 MiB of heap, the 16th failed.
 */
export const WASM_HEAP_MAX = 4294901760;
/** Share of the limit the plan fills with tensors: the rest is the allocator's fragmentation (measured heap ÷ tensor bytes: 1.0–1.4 on small steps). */
export const HEADROOM = 0.75;

export interface CpuMemoryPlan {
  readonly backend: 'wasm' | 'cpu';
  /** Bytes the backend can hold: wasm's heap maximum, or 70% of the machine's RAM for cpu. */
  readonly limit: number;
  /** Rows per micro-batch (0 = the whole batch in one pass). */
  readonly microBatch: number;
  /** The estimate at that micro-batch. */
  readonly memory: CpuTrainingMemory;
}

/** The byte limit of a CPU backend (see CpuMemoryPlan.limit). */
export function cpuMemoryLimit(backend: 'wasm' | 'cpu'): number {
  return backend === 'wasm' ? WASM_HEAP_MAX : 0.7 * totalmem();
}

/**
 * The largest micro-batch (gradient accumulation keeps the configured batch) whose training step
 * fits `limit`·HEADROOM by `cpuTrainingMemory`. Throws a ConfigError before step 0 when one row does
 * not fit, naming what does not fit, by how much, and what would: a shorter context at micro_batch 1,
 * or another backend.
 */
export function cpuMemoryPlan(c: GptConfig, batch: number, context: number, backend: 'wasm' | 'cpu', limit = cpuMemoryLimit(backend)): CpuMemoryPlan {
  const budget = limit * HEADROOM;
  const fits = (rows: number, T = context) => cpuTrainingMemory(c, rows, T, rows < batch).total <= budget;
  if (fits(batch)) return { backend, limit, microBatch: 0, memory: cpuTrainingMemory(c, batch, context, false) };
  let lo = 0; // largest rows known to fit
  let hi = batch; // smallest known not to
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (fits(mid)) lo = mid;
    else hi = mid;
  }
  if (lo === 0) throw new ConfigError(doesNotFit(c, batch, context, backend, limit));
  const microBatch = equalParts(batch, lo);
  return { backend, limit, microBatch, memory: cpuTrainingMemory(c, microBatch, context, true) };
}

function doesNotFit(c: GptConfig, batch: number, context: number, backend: 'wasm' | 'cpu', limit: number): string {
  const m = cpuTrainingMemory(c, 1, context, batch > 1);
  const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
  let shorter = 0;
  for (let T = Math.floor((context - 1) / 64) * 64; T >= 64 && !shorter; T -= 64) if (cpuTrainingMemory(c, 1, T, batch > 1).total <= limit * HEADROOM) shorter = T;
  const where = backend === 'wasm' ? `wasm's ${gib(limit)} heap` : `the cpu backend's ${gib(limit)} (70% of this machine's memory)`;
  return (
    `micro_batch 1 × context ${context} needs ≈${gib(m.total)} to train on the ${backend} backend (weights ${gib(m.weights)}, gradients ${gib(m.grads + m.accumulated)}, ` +
    `AdamW ${gib(m.adam)}, activations ${gib(m.total - m.weights - m.grads - m.accumulated - m.adam)}), more than ${HEADROOM * 100}% of ${where}; ` +
    (shorter ? `context ${shorter} fits at micro_batch 1, or ` : `no context fits at micro_batch 1 (weights, gradients and AdamW alone take ≈${gib(m.weights + m.grads + m.accumulated + m.adam + m.headGrads)}); `) +
    (backend === 'wasm' ? 'use --backend cpu (slow) or a GPU backend (webgpu, tensorflow)' : 'use a GPU backend (webgpu, tensorflow)')
  );
}

/**
 * An explicit micro_batch on a CPU backend, checked against the same estimate: a ConfigError before
 * step 0 naming the micro-batch that fits, instead of a heap overrun inside the step. Returns it.
 */
export function checkCpuMicroBatch(c: GptConfig, batch: number, microBatch: number, context: number, backend: string): number {
  if (backend !== 'wasm' && backend !== 'cpu') return microBatch;
  const rows = Math.min(microBatch, batch);
  const limit = cpuMemoryLimit(backend);
  const m = cpuTrainingMemory(c, rows, context, rows < batch);
  if (m.total <= limit * HEADROOM) return microBatch;
  const plan = cpuMemoryPlan(c, batch, context, backend, limit); // throws when not even one row fits
  throw new ConfigError(
    `micro_batch ${microBatch} × context ${context} needs ≈${(m.total / 2 ** 30).toFixed(2)} GiB on the ${backend} backend, more than ${HEADROOM * 100}% of its ${(limit / 2 ** 30).toFixed(2)} GiB; ` +
      `micro_batch ${plan.microBatch || batch} fits (or leave micro_batch at 0 to have it chosen)`,
  );
}

/**
 * Backends `auto` should pass over for this config, with the reason: wasm when one row of the model
 * does not fit its heap by `cpuMemoryPlan`.
 */
export function backendVetoes(cfg: Parameters<typeof resolveGptConfig>[0] & Pick<Config, 'vocabSize' | 'context' | 'batchSize'>): Record<string, string> {
  const c = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 256 });
  try {
    cpuMemoryPlan(c, cfg.batchSize || 1, cfg.context, 'wasm');
    return {};
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { wasm: e.message };
  }
}

/**
 * A preference run (kto, dpo) holds the policy's training memory plus the frozen reference model:
 * one more copy of the weights (4 bytes per parameter), no gradients, no AdamW moments; its forward
 * passes run outside any tape, so their activations are freed pass by pass and fit inside the
 * policy's budget for one micro-batch.
 */
export function preferenceMemory(c: GptConfig, rows: number, context: number): ReturnType<typeof trainingMemory> & { readonly reference: number } {
  const m = trainingMemory(c, rows, context);
  return { ...m, reference: m.weights, total: m.total + m.weights };
}

/** backendVetoes for a preference run: wasm also has to hold the reference copy of the weights. */
export function preferenceVetoes(c: GptConfig, context: number): Record<string, string> {
  const need = cpuTrainingMemory(c, 1, context, true).total + 4 * paramBreakdown(c).total; // + the reference's weights
  if (need <= WASM_HEAP_MAX * HEADROOM) return {};
  return { wasm: `this model with its frozen reference needs ≈${(need / 2 ** 30).toFixed(1)} GiB to train, more than wasm's ${(WASM_HEAP_MAX / 2 ** 30).toFixed(0)} GiB heap` };
}
