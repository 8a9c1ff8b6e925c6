import type { Config } from '../../core/config/schema.ts';
import { trainingMemory } from '../../model/nn/gptBreakdown.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';

/**
 * Rows per pass that keep the activation estimate within what a CPU backend holds: wasm has a 4 GiB
 * heap (2 GiB usable in practice; weights and AdamW state included), the JS cpu backend the machine's RAM. GPU backends
 * get the whole batch (0); set micro_batch to override.
 */
export function autoMicroBatch(c: GptConfig, batch: number, context: number, backend: string, maxBindingBytes = Infinity): number {
  const budget = backend === 'wasm' ? 1.5 * 2 ** 30 : backend === 'cpu' ? 6 * 2 ** 30 : Infinity;
  const perRow = trainingMemory(c, 1, context).activations;
  // A GPU binds each tensor whole: the largest one of a pass — the logits [rows·T, V], or the stock
  // attention's scores [rows, H, T, T] — must fit the adapter's storage binding limit.
  const largestPerRow = 4 * context * Math.max(c.vocabSize, c.heads * context);
  const rows = Math.min(Math.floor(budget / perRow), Math.floor(maxBindingBytes / largestPerRow));
  if (rows >= batch) return 0;
  // as few micro-batches as fit, of equal size where the batch allows (64 → 32 + 32, not 43 + 21):
  // the same passes, and one matmul shape for autotuning instead of two
  const parts = Math.ceil(batch / Math.max(1, rows));
  return Math.ceil(batch / parts);
}

/** wasm32 heap the tfjs wasm build can grow to (a larger training step aborts: docs/benchmarks.md). */
const WASM_HEAP = 2 * 2 ** 30;

/**
 * Backends `auto` should pass over for this config, with the reason: wasm when one training row of
 * the model (weights, grads, accumulated grads, AdamW m and v, activations) cannot fit its heap.
 */
export function backendVetoes(cfg: Parameters<typeof resolveGptConfig>[0] & Pick<Config, 'vocabSize' | 'context'>): Record<string, string> {
  const c = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || 256 });
  const m = trainingMemory(c, 1, cfg.context);
  const need = m.total + m.grads; // + the accumulation buffer of micro-batching
  if (need <= WASM_HEAP * 0.9) return {};
  return { wasm: `this model needs ≈${(need / 2 ** 30).toFixed(1)} GiB to train, more than wasm's ${WASM_HEAP / 2 ** 30} GiB heap` };
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
  const m = preferenceMemory(c, 1, context);
  const need = m.total + m.grads;
  if (need <= WASM_HEAP * 0.9) return {};
  return { wasm: `this model with its frozen reference needs ≈${(need / 2 ** 30).toFixed(1)} GiB to train, more than wasm's ${WASM_HEAP / 2 ** 30} GiB heap` };
}
