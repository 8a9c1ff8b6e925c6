import type { GenerateModel } from '../model/nn/generate.ts';
import { type GenerateManyOptions, generateMany } from '../model/nn/generateBatch.ts';
import type { SampleOptions } from '../model/nn/sample.ts';
import { detectWatermark } from '../model/watermark/detect.ts';
import type { WatermarkScheme } from '../model/watermark/scheme.ts';
import type { WatermarkEvalFigures } from '../operators/watermarkEvalEvery.ts';
import type { ScoredText, WatermarkMetrics } from './watermarkMetrics.ts';

/**
 * Held-out documents (token ids, corpus order) → the `n` a watermark evaluation uses: first those
 * long enough for a full continuation (≥ promptTokens + maxNewTokens ids), in order; if there are
 * fewer than n, the longest of the rest that still have more than `promptTokens` ids. Returns indices
 * into `docs`.
 */
export function pickHeldOut(docs: readonly (readonly number[])[], n: number, promptTokens: number, maxNewTokens: number): number[] {
  const full: number[] = [];
  const short: number[] = [];
  docs.forEach((d, i) => (d.length >= promptTokens + maxNewTokens ? full : d.length > promptTokens ? short : []).push(i));
  if (full.length >= n) return full.slice(0, n);
  short.sort((a, b) => docs[b].length - docs[a].length || a - b);
  return [...full, ...short.slice(0, n - full.length)];
}

export interface WatermarkEvalOptions extends SampleOptions, Pick<GenerateManyOptions, 'batchSize' | 'seed' | 'onProgress'> {
  readonly scheme: WatermarkScheme;
  /** Ids of each held-out text that are its prompt. */
  readonly promptTokens: number;
  /** Tokens generated per prompt (EOS is banned until then, so every generation has exactly this many). */
  readonly maxNewTokens: number;
}

/** Per text pair: the two z-scores and how many tokens each continuation had. */
export interface WatermarkEvalPair {
  readonly doc: number;
  readonly zGenerated: number;
  readonly zReal: number;
  readonly generatedTokens: number;
  readonly realTokens: number;
}

/**
 * The watermark evaluation: for each held-out text, its first `promptTokens` ids prompt a watermarked
 * generation of `maxNewTokens` ids (batched decoding), and the text's own continuation, cut to the
 * same length, is the real counterpart. Both are scored the same way: detectWatermark over prompt +
 * continuation with promptLength = promptTokens and the scheme's detection defaults. Returns the
 * rows (generated, label 1, then real, label 0, in text order) for watermarkMetrics and
 * watermark_scores.csv, and the pairs.
 */
export async function watermarkScores(model: GenerateModel, texts: readonly (readonly number[])[], opts: WatermarkEvalOptions): Promise<{ rows: ScoredText[]; pairs: WatermarkEvalPair[] }> {
  const P = opts.promptTokens;
  if (!Number.isInteger(P) || P < 1) throw new RangeError(`watermark eval: promptTokens must be an integer ≥ 1, got ${P}`);
  const usable = texts.map((t, i) => ({ t, i })).filter(({ t }) => t.length > P);
  const prompts = usable.map(({ t }) => t.slice(0, P));
  const eosIds = opts.eosIds ?? (model.tokenizer && model.tokenizer.eosId >= 0 ? [model.tokenizer.eosId] : []);
  const gens = await generateMany(model, prompts, { ...opts, eosIds, minNewTokens: opts.maxNewTokens, watermark: opts.scheme, stop: [] });
  const z = (ids: readonly number[]) => detectWatermark(ids, opts.scheme, { promptLength: P }).z;
  const pairs = usable.map(({ t, i }, k) => {
    const gen = gens[k].ids;
    const real = t.slice(P, P + gen.length);
    return { doc: i, zGenerated: z([...prompts[k], ...gen]), zReal: z([...prompts[k], ...real]), generatedTokens: gen.length, realTokens: real.length };
  });
  const rows: ScoredText[] = [...pairs.map((p) => ({ label: 1 as const, z: p.zGenerated })), ...pairs.map((p) => ({ label: 0 as const, z: p.zReal }))];
  return { rows, pairs };
}

/**
 * Metrics → the figures of an `eval/watermark` event (operator watermarkEvalEvery); an undefined AUC
 * or mean (an empty class) becomes NaN, which the feed carries as null.
 */
export function watermarkEvalFigures(m: WatermarkMetrics): WatermarkEvalFigures {
  return { auc: m.roc_auc ?? NaN, f1: m.f1, meanZGenerated: m.mean_z_generated ?? NaN, meanZReal: m.mean_z_real ?? NaN };
}
