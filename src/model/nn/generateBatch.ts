import * as tf from '@tensorflow/tfjs';
import type { GenerateModel, GenerateOptions } from './generate.ts';
import { feedCached, KvCache, slideKeep } from './kvCache.ts';
import { Rng } from './rng.ts';
import { type SampleOptions, sampleToken } from './sample.ts';
import { findStop } from './sampling/stop.ts';
import { watermarkLogits } from '../watermark/apply.ts';

/** One finished generation of a batch. */
export interface Generation {
  /** New token ids (an EOS that ended it excluded). */
  readonly ids: number[];
  /** Decoded new text, cut before a stop string ('' without a tokenizer). */
  readonly text: string;
  /** eos = an end-of-sequence id was drawn; stop = a stop string; length = maxNewTokens reached. */
  readonly finish: 'eos' | 'length' | 'stop';
  /** ln p of each new id (EOS included when drawn) under the raw logits, as Token.logprob. */
  readonly logprobs: number[];
  /** New ids that were green (watermark on; 0 otherwise). */
  readonly green: number;
}

export interface GenerateBatchOptions extends Omit<GenerateOptions, 'rng' | 'seed' | 'cache'> {
  /** Seed of row i's Rng: `seeds[i]`, else `seed + i`. The same seed gives the same tokens as `generateTokens` with that seed (up to float round-off of the batched matmuls). @default seed 1337 */
  readonly seed?: number;
  readonly seeds?: readonly number[];
}

/**
 * Generates a continuation of each prompt, all rows in one forward pass per token with one KV cache
 * [B, KV, t, d] per layer (batched decoding). The rows share positions, so every prompt must have
 * the same number of ids (`generateMany` groups prompts by length). A row that finished (EOS, stop
 * string, or its length) keeps being fed a dummy id until every row is done, so the batch stays
 * rectangular; its result is fixed when it finished. Per token: one forward of B positions, one
 * GPU→CPU read of [B, V], then per-row sampling on the CPU with row i's own Rng (see `seeds`), penalties
 * and watermark, exactly as `generateTokens` does for one row. When the cache is full all rows
 * slide together (see slideKeep), as one row does.
 */
export async function generateBatch(model: GenerateModel, prompts: readonly (readonly number[])[], opts: GenerateBatchOptions): Promise<Generation[]> {
  const { weights: w, config: c, tokenizer } = model;
  const B = prompts.length;
  if (B === 0) return [];
  const P = prompts[0].length;
  if (P === 0) throw new RangeError('generateBatch: a prompt has no tokens; give at least one id (e.g. the EOS id)');
  if (prompts.some((p) => p.length !== P)) throw new RangeError('generateBatch: every prompt of a batch must have the same number of ids (generateMany groups them by length)');
  const eosIds = opts.eosIds ?? (tokenizer && tokenizer.eosId >= 0 ? [tokenizer.eosId] : []);
  const sample: SampleOptions = { ...opts, eosIds };
  const stops = (opts.stop ?? []).filter((s) => s.length > 0);
  if (stops.length > 0 && !tokenizer) throw new RangeError('generate: stop strings need a tokenizer to decode the text');
  const V = c.vocabSize;
  const scheme = opts.watermark;
  const rows = prompts.map((p, i) => ({
    ids: [...p], // prompt + new ids: the sampling context
    fed: [...p], // what the cache saw (dummies after the row finished), equal length in every row
    rng: new Rng(opts.seeds?.[i] ?? (opts.seed ?? 1337) + i),
    decode: tokenizer?.decoder(),
    text: '',
    logprobs: [] as number[],
    green: 0,
    result: null as Generation | null,
  }));
  const cache = new KvCache(c);
  try {
    let pending = rows.map((r) => r.fed.slice(-c.context));
    for (let n = 0; n < opts.maxNewTokens; n++) {
      const T = pending[0].length;
      opts.onForward?.(B * T);
      const logits = tf.tidy(() => feedCached(tf.tensor2d(pending.flat(), [B, T], 'int32'), w, c, cache));
      const all = (await logits.data()) as Float32Array; // [B·V]: one read per token for the whole batch
      logits.dispose();
      for (let b = 0; b < B; b++) {
        const r = rows[b];
        if (r.result) {
          r.fed.push(r.fed[r.fed.length - 1]);
          continue;
        }
        const row = all.subarray(b * V, (b + 1) * V);
        const x = scheme ? watermarkLogits(row.slice(), r.ids, scheme) : row;
        const id = sampleToken(x, sample, r.rng, { ids: r.ids, newTokens: n });
        r.logprobs.push(logSoftmaxAt(row, id));
        if (scheme && r.ids.length >= scheme.contextWidth && scheme.greenList(r.ids).mask[id] === 1) r.green++;
        r.fed.push(id);
        const newIds = () => r.ids.slice(P);
        if (eosIds.includes(id)) {
          r.result = { ids: newIds(), text: r.text, finish: 'eos', logprobs: r.logprobs, green: r.green };
          continue;
        }
        r.ids.push(id);
        r.text += r.decode ? r.decode(id) : '';
        const cut = findStop(r.text, stops);
        if (cut >= 0) r.result = { ids: newIds(), text: r.text.slice(0, cut), finish: 'stop', logprobs: r.logprobs, green: r.green };
        else if (n === opts.maxNewTokens - 1) r.result = { ids: newIds(), text: r.text, finish: 'length', logprobs: r.logprobs, green: r.green };
      }
      if (rows.every((r) => r.result)) break;
      if (cache.length < c.context) pending = rows.map((r) => [r.fed[r.fed.length - 1]]);
      else {
        cache.clear(); // full: every row rebuilds from its last `keep` ids together
        pending = rows.map((r) => r.fed.slice(-slideKeep(c.context)));
      }
    }
  } finally {
    cache.dispose();
  }
  return rows.map((r) => r.result ?? { ids: [], text: '', finish: 'length', logprobs: [], green: 0 }); // maxNewTokens 0
}

export interface GenerateManyOptions extends GenerateBatchOptions {
  /** Most rows per forward pass. @default 8 */
  readonly batchSize?: number;
  /** Called as each batch finishes with how many generations are done so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Continuations of any prompts, batched: prompts are grouped by their number of ids (rows of a batch
 * share positions), each group cut into batches of `batchSize`, each batch run by `generateBatch`.
 * Row i always uses seed `seeds[i]` (else `seed + i`), so the result does not depend on the
 * batching. Results come back in the prompts' order. batchSize 1 is one-at-a-time generation.
 */
export async function generateMany(model: GenerateModel, prompts: readonly (readonly number[])[], opts: GenerateManyOptions): Promise<Generation[]> {
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`generateMany: batchSize must be an integer ≥ 1, got ${batchSize}`);
  const base = opts.seed ?? 1337;
  const seeds = prompts.map((_, i) => opts.seeds?.[i] ?? base + i);
  const groups = new Map<number, number[]>();
  prompts.forEach((p, i) => groups.set(p.length, [...(groups.get(p.length) ?? []), i]));
  const out = new Array<Generation>(prompts.length);
  let done = 0;
  for (const idx of groups.values()) {
    for (let s = 0; s < idx.length; s += batchSize) {
      const part = idx.slice(s, s + batchSize);
      const res = await generateBatch(model, part.map((i) => prompts[i]), { ...opts, seeds: part.map((i) => seeds[i]) });
      part.forEach((i, k) => (out[i] = res[k]));
      done += part.length;
      opts.onProgress?.(done, prompts.length);
    }
  }
  return out;
}

/** ln softmax(row)[id], O(V). */
export function logSoftmaxAt(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return row[id] - max - Math.log(sum);
}
