import type { GptConfig } from '../../core/config/gptConfig.ts';
import { TILED_MIN_T } from '../kernels/cpu/tiledAttention.ts';
import { BLOCK_FACTOR, cpuTrainingMemory } from './cpuTrainingMemory.ts';

/**
 * The fewest blocks to recompute in the backward (gpt.ts `recomputeLayers`, from the first) so that a
 * training step of `rows` × `context` on a CPU backend stays within `budget` bytes; `c.layers` when
 * even recomputing all of them does not (the memory plan has already refused that case).
 *
 * Estimate with k blocks recomputed: the all-recomputed estimate (cpuTrainingMemory), plus, for each
 * of the layers − k blocks that keep their activations, NO_RECOMPUTE_FACTOR × the tensors its forward
 * makes. Recomputing costs a second forward of the block: on char-10m (8 × 256, wasm) process CPU time
 * a step 2,090 ms without against 2,576 ms with every block recomputed (×1.23).
 */
export function layersToRecompute(c: GptConfig, rows: number, context: number, microBatching: boolean, budget: number): number {
  const m = cpuTrainingMemory(c, rows, context, microBatching);
  const perBlock = NO_RECOMPUTE_FACTOR * blockForwardBytes(m);
  for (let k = 0; k < c.layers; k++) if (m.total + (c.layers - k) * perBlock <= budget) return k;
  return c.layers;
}

/** The bytes of the tensors one block's forward makes: cpuTrainingMemory's `block` without its factor, and without the tiled attention's share, which it adds from TILED_MIN_T on. */
function blockForwardBytes(m: ReturnType<typeof cpuTrainingMemory>): number {
  return (m.block - (m.context >= TILED_MIN_T ? m.attention : 0)) / BLOCK_FACTOR;
}

/**
 * Bytes a block that is not recomputed holds until the backward reaches it, per tensor its forward
 * makes. tf.profile peaks of one wasm step without recompute, less the all-recomputed estimate, per
 * block: char-10m 4 × 256 2.15, 8 × 256 2.07; tiny 16 × 128 2.53, 8 × 64 2.92; classics-46m 1 × 256
 * 3.33; 25m 2 × 512 4.54. The largest, with a fifth more for safety: an underestimate would overrun
 * the wasm heap, an overestimate only recomputes one block more.
 */
export const NO_RECOMPUTE_FACTOR = 5.5;

/** Share of a step's CPU time that recomputing every block adds: char-10m 8 × 256 on wasm, 2,576 against 2,090 ms (×1.23). */
export const RECOMPUTE_COST = 0.23;
/** Tokens per micro-batch from which the products run at full speed on the CPU (char-10m's 8 × 256); smaller ones are tried only when nothing larger fits. */
export const MIN_MICRO_TOKENS = 2048;

/** Rows per micro-batch (0: the whole batch in one pass) and blocks recomputed of one CPU training step. */
export interface CpuStepPlan {
  readonly microBatch: number;
  readonly recompute: number;
}

/**
 * The cheapest (micro-batch, blocks recomputed) for a batch whose largest micro-batch that fits with
 * every block recomputed is `largest` rows (0: the whole batch): each equal split of the batch from
 * there down to MIN_MICRO_TOKENS tokens, with as few blocks recomputed as fit it, costed as
 * 1 + RECOMPUTE_COST · k / layers per token (micro-batches of that size or more run at the same speed
 * per token; AdamW runs once a batch whatever the split). Ties keep the larger micro-batch. char-10m's
 * 64 × 256: 32 rows with all six blocks recomputed, or 8 rows with one.
 */
export function fastestCpuStep(c: GptConfig, batch: number, context: number, largest: number, budget: number): CpuStepPlan {
  const first = largest > 0 ? Math.ceil(batch / largest) : 1;
  let best: CpuStepPlan | null = null;
  let bestCost = Infinity;
  for (let parts = first, last = 0; parts <= batch; parts++) {
    const rows = Math.ceil(batch / parts);
    if (rows === last) continue;
    if (best && rows * context < MIN_MICRO_TOKENS) break;
    last = rows;
    const k = layersToRecompute(c, rows, context, rows < batch, budget);
    const cost = 1 + (RECOMPUTE_COST * Math.min(k, c.layers)) / c.layers;
    if (cost < bestCost - 1e-9) {
      best = { microBatch: rows < batch ? rows : 0, recompute: k };
      bestCost = cost;
    }
    if (k === 0) break; // nothing cheaper further down
  }
  return best!;
}
