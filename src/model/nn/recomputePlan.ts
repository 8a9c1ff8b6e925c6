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
