import * as tf from '@tensorflow/tfjs';
import { DataError } from '../core/errors/DataError.ts';
import type { GenerateModel } from '../model/nn/generate.ts';
import { forward } from '../model/nn/gpt.ts';
import { logSoftmaxAt } from '../model/nn/generateBatch.ts';
import { promptIds } from '../model/tokenizer/documentIds.ts';

/** One probe: a prompt and the continuation the model should find likely. */
export interface Probe {
  readonly prompt: string;
  readonly expected: string;
}

/** How a model scores a probe's expected continuation after its prompt. */
export interface ProbeScore {
  /** Rank of the expected continuation's first token in the next-token distribution after the prompt: 1 = top (ties: 1 + ids strictly more likely). */
  readonly rank: number;
  /** Its probability p(first token | prompt). */
  readonly prob: number;
  /** exp(−mean ln p(expected_j | prompt, expected_<j)) over every token of the expected continuation. */
  readonly perplexity: number;
  /** ln p of each expected token given the prompt and the expected tokens before it. */
  readonly logprobs: number[];
}

/**
 * Scores `expected` from logit rows: `rows[j]` [V] is the next-token logits that predict
 * `expected[j]` (rows[0] after the prompt). Pure: rank, probability (softmax) and perplexity.
 */
export function scoreExpected(rows: readonly Float32Array[], expected: readonly number[]): ProbeScore {
  if (expected.length === 0) throw new RangeError('scoreExpected: the expected continuation has no tokens');
  if (rows.length !== expected.length) throw new RangeError(`scoreExpected: ${rows.length} logit rows for ${expected.length} expected tokens`);
  const logprobs = expected.map((id, j) => logSoftmaxAt(rows[j], id));
  const first = rows[0];
  let above = 0;
  for (let i = 0; i < first.length; i++) if (first[i] > first[expected[0]]) above++;
  const mean = logprobs.reduce((s, x) => s + x, 0) / logprobs.length;
  return { rank: above + 1, prob: Math.exp(logprobs[0]), perplexity: Math.exp(-mean), logprobs };
}

/**
 * The logit rows of `expected` after `prompt` (ids) from one forward pass over prompt + expected
 * (its last token dropped: nothing is predicted after it). A sequence longer than the context keeps
 * its last `context` ids, so the prompt loses its start; an expected continuation longer than the
 * context is an error.
 */
export async function expectedLogits(model: GenerateModel, prompt: readonly number[], expected: readonly number[]): Promise<Float32Array[]> {
  const { weights: w, config: c } = model;
  if (prompt.length === 0) throw new RangeError('expectedLogits: the prompt has no tokens (use the EOS id for an empty prompt)');
  if (expected.length > c.context) throw new DataError(`probe: the expected continuation has ${expected.length} tokens, more than the context of ${c.context}`);
  const seq = [...prompt, ...expected].slice(0, -1);
  const input = seq.slice(-c.context);
  const first = input.length - expected.length; // the position whose logits predict expected[0]
  const logits = tf.tidy(() => forward(tf.tensor2d(input, [1, input.length], 'int32'), w, c).slice([0, first, 0], [1, expected.length, c.vocabSize]));
  const flat = (await logits.data()) as Float32Array;
  logits.dispose();
  const V = c.vocabSize;
  return expected.map((_, j) => flat.slice(j * V, (j + 1) * V));
}

/** A probe's prompt and expected text → ids → score (the prompt as generation encodes it: promptIds, BOS first for a model trained with one). */
export async function scoreProbe(model: GenerateModel, probe: Probe): Promise<ProbeScore & { readonly expectedTokens: number }> {
  const tok = model.tokenizer;
  if (!tok) throw new RangeError('scoreProbe: a text probe needs the model tokenizer');
  const prompt = promptIds(tok, probe.prompt ?? '');
  const expected = tok.encode(probe.expected);
  if (expected.length === 0) throw new DataError(`probe ${JSON.stringify(probe.prompt)}: the expected text encodes to no tokens`);
  return { ...scoreExpected(await expectedLogits(model, prompt, expected), expected), expectedTokens: expected.length };
}

/** Summary of a probe set: top-1 and top-5 shares, mean and median rank, mean first-token probability, mean ln-perplexity as a perplexity. */
export interface ProbeSummary {
  readonly probes: number;
  readonly top1: number;
  readonly top5: number;
  readonly mean_rank: number;
  readonly median_rank: number;
  readonly mean_prob: number;
  /** exp of the mean of ln(perplexity) over probes (the geometric mean of the per-probe perplexities). */
  readonly perplexity: number;
}

export function summarizeProbes(scores: readonly Pick<ProbeScore, 'rank' | 'prob' | 'perplexity'>[]): ProbeSummary {
  const n = scores.length;
  if (n === 0) return { probes: 0, top1: 0, top5: 0, mean_rank: 0, median_rank: 0, mean_prob: 0, perplexity: 0 };
  const ranks = scores.map((s) => s.rank).sort((a, b) => a - b);
  const mid = Math.floor(n / 2);
  return {
    probes: n,
    top1: ranks.filter((r) => r === 1).length / n,
    top5: ranks.filter((r) => r <= 5).length / n,
    mean_rank: ranks.reduce((s, r) => s + r, 0) / n,
    median_rank: n % 2 ? ranks[mid] : (ranks[mid - 1] + ranks[mid]) / 2,
    mean_prob: scores.reduce((s, x) => s + x.prob, 0) / n,
    perplexity: Math.exp(scores.reduce((s, x) => s + Math.log(x.perplexity), 0) / n),
  };
}
