import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { Rng } from './rng.ts';
import { applyMinNewTokens } from './sampling/minNewTokens.ts';
import { applyNoRepeatNgram } from './sampling/noRepeatNgram.ts';
import { applyRepetitionPenalty } from './sampling/repetitionPenalty.ts';
import { topKIndices } from './sampling/topK.ts';
import { nucleusIds, nucleusSize } from './sampling/topP.ts';

/** Generation controls. temperature and topK are required; the rest are off by default. */
export interface SampleOptions {
  /** 0 = greedy (argmax after the penalties and bans). */
  readonly temperature: number;
  /** 0 = no top-k cut. */
  readonly topK: number;
  /** Nucleus cut, Poetru's rule (see nucleusSize). @default 1 (off) */
  readonly topP?: number;
  /** CTRL/HF repetition penalty over the whole context, prompt included. @default 1 (off) */
  readonly repetitionPenalty?: number;
  /** Ban ids that would repeat an n-gram of this size already in the context. @default 0 (off) */
  readonly noRepeatNgramSize?: number;
  /** EOS ids are banned until this many tokens have been generated; needs `context`. @default 0 */
  readonly minNewTokens?: number;
  /** End-of-sequence ids for minNewTokens. @default [] */
  readonly eosIds?: readonly number[];
}

/** What the penalties and bans look at. */
export interface SampleContext {
  /** Every id so far, prompt included, oldest first. */
  readonly ids: readonly number[];
  /** How many of `ids` were generated (the rest is prompt). */
  readonly newTokens: number;
}

type ResolvedSampleOptions = Required<SampleOptions>;

/** Validates options and fills defaults; throws ConfigError naming the bad key. */
export function resolveSampleOptions(opts: SampleOptions): ResolvedSampleOptions {
  const o: ResolvedSampleOptions = {
    temperature: opts.temperature,
    topK: opts.topK,
    topP: opts.topP ?? 1,
    repetitionPenalty: opts.repetitionPenalty ?? 1,
    noRepeatNgramSize: opts.noRepeatNgramSize ?? 0,
    minNewTokens: opts.minNewTokens ?? 0,
    eosIds: opts.eosIds ?? [],
  };
  const bad = (key: string, allowed: string) => {
    throw new ConfigError(`sampling: ${key} = ${String(o[key as keyof ResolvedSampleOptions])} is invalid; allowed: ${allowed}`);
  };
  if (!(o.temperature >= 0) || !Number.isFinite(o.temperature)) bad('temperature', 'a finite number ≥ 0 (0 = greedy)');
  if (!Number.isInteger(o.topK) || o.topK < 0) bad('topK', 'an integer ≥ 0 (0 = off)');
  if (!(o.topP > 0 && o.topP <= 1)) bad('topP', 'a number in (0, 1] (1 = off)');
  if (!(o.repetitionPenalty > 0) || !Number.isFinite(o.repetitionPenalty)) bad('repetitionPenalty', 'a finite number > 0 (1 = off)');
  if (!Number.isInteger(o.noRepeatNgramSize) || o.noRepeatNgramSize < 0) bad('noRepeatNgramSize', 'an integer ≥ 0 (0 = off)');
  if (!Number.isInteger(o.minNewTokens) || o.minNewTokens < 0) bad('minNewTokens', 'an integer ≥ 0');
  return o;
}

/**
 * Draws one token id from a row of logits [V] (already on the CPU), applying the controls in HF
 * generate's order: repetition penalty → no-repeat n-gram → min new tokens → temperature → top-k →
 * top-p → sample. `logits` is not modified. Consumes exactly one `rng.next()` unless greedy, so a
 * seeded Rng reproduces a generation. Cost O(V) plus O(V log k) for top-k, O(V log n) for a nucleus of n ids.
 */
export function sampleToken(logits: Float32Array, opts: SampleOptions, rng: Rng, context?: SampleContext): number {
  const o = resolveSampleOptions(opts);
  if (o.minNewTokens > 0 && o.eosIds.length > 0 && context === undefined) {
    throw new ConfigError('sampling: minNewTokens needs the generation context (pass `context` with newTokens) to know how many tokens were generated');
  }
  const ids = context?.ids ?? [];
  let x = logits;
  if (o.repetitionPenalty !== 1 || o.noRepeatNgramSize > 0 || o.minNewTokens > 0) {
    x = logits.slice();
    applyRepetitionPenalty(x, ids, o.repetitionPenalty);
    if (o.noRepeatNgramSize > 0) applyNoRepeatNgram(x, ids, o.noRepeatNgramSize);
    if (o.minNewTokens > 0) applyMinNewTokens(x, context?.newTokens ?? 0, o.minNewTokens, o.eosIds);
  }
  if (o.temperature === 0) return argmax(x);

  const V = x.length;
  const T = o.temperature;
  // candidates in sampling order: top-k and nucleus cuts give descending order, otherwise all ids
  let cand: Uint32Array;
  if (o.topK > 0 && o.topK < V) {
    cand = topKIndices(x, o.topK);
  } else if (o.topP < 1) {
    cand = nucleusIds(x, T, o.topP);
  } else {
    cand = new Uint32Array(V);
    for (let i = 0; i < V; i++) cand[i] = i;
  }
  let max = -Infinity;
  for (const i of cand) if (x[i] > max) max = x[i];
  if (max === -Infinity) throw new RangeError('sampleToken: every token is banned (all logits −∞); relax noRepeatNgramSize or minNewTokens');
  const weights = new Float64Array(cand.length);
  let total = 0;
  for (let k = 0; k < cand.length; k++) {
    weights[k] = Math.exp((x[cand[k]] - max) / T);
    total += weights[k];
  }
  let n = cand.length;
  if (o.topP < 1 && o.topK > 0 && o.topK < V) {
    n = nucleusSize(weights, total, o.topP); // nucleus of the top-k distribution
    total = 0;
    for (let k = 0; k < n; k++) total += weights[k];
  }
  let u = rng.next() * total;
  for (let k = 0; k < n; k++) {
    u -= weights[k];
    if (u < 0) return cand[k];
  }
  // u landed on the float round-off past the last weight: return the last candidate with weight > 0
  for (let k = n - 1; k > 0; k--) if (weights[k] > 0) return cand[k];
  return cand[0];
}

/** Index of the largest value (first one on ties). */
export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
