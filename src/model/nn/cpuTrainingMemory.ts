import { paramBreakdown } from './gptBreakdown.ts';
import { TILE_ROWS, TILED_MIN_T } from '../kernels/cpu/tiledAttention.ts';
import { chunkedHeadFor, headChunkRowsFor } from '../kernels/cpu/chunkedCrossEntropy.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';

/** Bytes one training step holds on a CPU backend (wasm, cpu), by part. */
export interface CpuTrainingMemory {
  readonly rows: number;
  readonly context: number;
  /** fp32 weights, 4 bytes a parameter. */
  readonly weights: number;
  /** The step's gradients. */
  readonly grads: number;
  /** The accumulated gradients of earlier micro-batches (0 without micro-batching). */
  readonly accumulated: number;
  /** AdamW m and v. */
  readonly adam: number;
  /** Head-sized gradient temporaries of the backward (the embedding's gather gradient and the tied head's). */
  readonly headGrads: number;
  /** Each block's saved input [rows, T, C] (blocks are recomputed in the backward). */
  readonly blockInputs: number;
  /** One block's forward and backward at a time, attention included. */
  readonly block: number;
  /**
   * Attention's share of `block`: the stock ops' [rows, H, T, T] tensors, or from TILED_MIN_T
   * positions on (tiled attention) one query block's [rows, H, TILE_ROWS, T] tensors: linear in T.
   */
  readonly attention: number;
  /**
   * Logits [rows·T, V], their softmax and gradient temporaries; from CHUNKED_MIN_ELEMENTS logits on
   * (the chunked head, kernels/cpu/chunkedCrossEntropy.ts) one chunk's [chunk, V] tensors instead:
   * independent of rows·T.
   */
  readonly logits: number;
  /** Rows per chunk of the chunked head and loss, 0 when the head runs whole (the stock path). */
  readonly headChunk: number;
  readonly total: number;
}

/**
 * What training holds on the CPU backends at `rows` rows per micro-batch of `context` tokens, as
 * Versiflow runs it there (AdamW in place, each block recomputed in the backward, gradients
 * accumulated in place), measured rather than derived: tfjs keeps every temporary of a backward
 * pass until that pass ends, so a block's forward and backward hold ≈ BLOCK_FACTOR× the tensors
 * its forward makes, and the head ≈ LOGITS_FACTOR tensors of [rows·T, V] (or, chunked, CHUNK_FACTOR
 * tensors of one chunk's [chunk, V], its own tidies freeing them). The factors were fitted
 * on char-10m (wasm, 1 and 4 rows × 256: 90 MB a row) and 25m (1 × 256); test/pipeline/train/
 * cpuMemoryPlan.test.ts checks the estimate against measured use on several configs. From
 * TILED_MIN_T positions on attention runs tiled and is counted linear in T (TILED_FACTOR).
 */
export function cpuTrainingMemory(c: GptConfig, rows: number, context: number, microBatching: boolean): CpuTrainingMemory {
  const n = paramBreakdown(c).total;
  const tokens = rows * context;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const tiled = context >= TILED_MIN_T; // as attention() runs it on wasm and cpu
  const scores = tiled ? 0 : 3 * c.heads * context; // stock: scores, masked, probabilities per token
  const perLayer = 6 * c.hidden + 2 * q + 3 * kv + c.kvLatent + scores + (c.mlp === 'swiglu' ? 5 : 4) * c.ffn;
  const weights = 4 * n;
  const headGrads = 2 * 4 * c.vocabSize * c.hidden;
  const blockInputs = 4 * tokens * c.hidden * (c.layers + 2);
  // tiled: the last query block's backward holds TILED_FACTOR [rows, H, TILE_ROWS, T] tensors at once, freed before the next
  const attention = tiled ? 4 * tokens * TILED_FACTOR * c.heads * Math.min(TILE_ROWS, context) : 4 * tokens * BLOCK_FACTOR * scores;
  const block = 4 * tokens * BLOCK_FACTOR * perLayer + (tiled ? attention : 0);
  const headChunk = chunkedHeadFor(tokens, c.vocabSize) ? Math.min(tokens, headChunkRowsFor(c.vocabSize)) : 0;
  // chunked: CHUNK_FACTOR tensors of a forward chunk [chunk, V] (the backward's vocabulary blocks are as large); dW is written in place
  const logits = headChunk ? 4 * CHUNK_FACTOR * headChunk * c.vocabSize : 4 * tokens * LOGITS_FACTOR * c.vocabSize;
  const accumulated = microBatching ? 4 * n : 0;
  const total = weights + 4 * n + accumulated + 8 * n + headGrads + blockInputs + block + logits;
  return { rows, context, weights, grads: 4 * n, accumulated, adam: 8 * n, headGrads, blockInputs, block, attention, logits, headChunk, total };
}

/** A block's forward + backward tensors per tensor its forward makes (fitted: char-10m). */
export const BLOCK_FACTOR = 5.6;
/** [rows·T, V] tensors alive at once around the loss (fitted: 25m, V = 24,000). */
export const LOGITS_FACTOR = 11;
/**
 * [chunk, V] tensors the chunked head holds at once: the logits and logsumexp's two temporaries in a
 * forward chunk (tf.profile: 3.0); a backward block frees its logits and their shifted copy as it goes.
 */
export const CHUNK_FACTOR = 3;
/**
 * Score-sized tensors of one query block's backward in tiled attention, counted: scores, masked,
 * probabilities, dO·vᵀ, minus the row term, dS (its tidy frees them together). Checked against
 * measured steps of char-10m at 1 × 256 … 1 × 1024 (docs/benchmarks.md).
 */
export const TILED_FACTOR = 6;
