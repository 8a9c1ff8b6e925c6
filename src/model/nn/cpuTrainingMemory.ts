import { paramBreakdown } from './gptBreakdown.ts';
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
  /** One block's forward and backward at a time, attention scores [rows, H, T, T] included. */
  readonly block: number;
  /** Attention's share of `block`: the [rows, H, T, T] tensors. */
  readonly attention: number;
  /** Logits [rows·T, V], their softmax and gradient temporaries. */
  readonly logits: number;
  readonly total: number;
}

/**
 * What training holds on the CPU backends at `rows` rows per micro-batch of `context` tokens, as
 * Versiflow runs it there (AdamW in place, each block recomputed in the backward, gradients
 * accumulated in place), measured rather than derived: tfjs keeps every temporary of a backward
 * pass until that pass ends, so a block's forward and backward hold ≈ BLOCK_FACTOR× the tensors
 * its forward makes, and the head ≈ LOGITS_FACTOR tensors of [rows·T, V]. The factors were fitted
 * on char-10m (wasm, 1 and 4 rows × 256: 90 MB a row) and 25m (1 × 256); test/pipeline/train/
 * cpuMemoryPlan.test.ts checks the estimate against measured use on several configs.
 */
export function cpuTrainingMemory(c: GptConfig, rows: number, context: number, microBatching: boolean): CpuTrainingMemory {
  const n = paramBreakdown(c).total;
  const tokens = rows * context;
  const q = c.heads * c.headDim;
  const kv = c.kvHeads * c.headDim;
  const scores = 3 * c.heads * context; // scores, masked, probabilities per token
  const perLayer = 6 * c.hidden + 2 * q + 3 * kv + c.kvLatent + scores + (c.mlp === 'swiglu' ? 5 : 4) * c.ffn;
  const weights = 4 * n;
  const headGrads = 2 * 4 * c.vocabSize * c.hidden;
  const blockInputs = 4 * tokens * c.hidden * (c.layers + 2);
  const block = 4 * tokens * BLOCK_FACTOR * perLayer;
  const attention = 4 * tokens * BLOCK_FACTOR * scores;
  const logits = 4 * tokens * LOGITS_FACTOR * c.vocabSize;
  const accumulated = microBatching ? 4 * n : 0;
  const total = weights + 4 * n + accumulated + 8 * n + headGrads + blockInputs + block + logits;
  return { rows, context, weights, grads: 4 * n, accumulated, adam: 8 * n, headGrads, blockInputs, block, attention, logits, total };
}

/** A block's forward + backward tensors per tensor its forward makes (fitted: char-10m). */
export const BLOCK_FACTOR = 5.6;
/** [rows·T, V] tensors alive at once around the loss (fitted: 25m, V = 24,000). */
export const LOGITS_FACTOR = 11;
