import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import { normalSf } from './erfc.ts';
import type { WatermarkScheme } from './scheme.ts';
import { zScore } from './zScore.ts';

/** Detection options; unset ones take the scheme's `detectDefaults`. */
export interface DetectOptions {
  /** Leading ids that are prompt; needed when scorePrompt is false. @default 0 */
  readonly promptLength?: number;
  /** Score tokens at positions < promptLength (their context may always reach into the prompt). */
  readonly scorePrompt?: boolean;
  /** Count each (context, token) pair once. */
  readonly ignoreRepeatedNgrams?: boolean;
  /** z at or above which the text is called watermarked. @default 4 */
  readonly zThreshold?: number;
}

export interface DetectResult {
  /** T: tokens scored. */
  readonly scored: number;
  /** K: scored tokens that were green. */
  readonly green: number;
  /** (K − γT)/√(Tγ(1−γ)); 0 when T = 0. */
  readonly z: number;
  /** One-sided P(Z ≥ z) under the no-watermark null. */
  readonly pValue: number;
  readonly watermarked: boolean;
}

/**
 * Counts green tokens in `ids` and turns the count into a z-score. Token t (t ≥ h) is scored
 * against the green list of ids[t−h .. t−1]. Cost O(n) plus one green list per unseen context.
 *
 * @example detectWatermark(ids, poetruScheme({ vocabSize: 24000 })) // every adjacent pair, repeats counted
 */
export function detectWatermark(ids: readonly number[], scheme: WatermarkScheme, opts: DetectOptions = {}): DetectResult {
  const scorePrompt = opts.scorePrompt ?? scheme.detectDefaults.scorePrompt;
  const ignoreRepeated = opts.ignoreRepeatedNgrams ?? scheme.detectDefaults.ignoreRepeatedNgrams;
  const threshold = opts.zThreshold ?? 4;
  const promptLength = opts.promptLength ?? 0;
  if (!Number.isInteger(promptLength) || promptLength < 0) {
    throw new ConfigError(`detectWatermark: promptLength must be an integer ≥ 0, got ${promptLength}`);
  }
  if (!scorePrompt && opts.promptLength === undefined) {
    throw new ConfigError(
      `detectWatermark: scheme "${scheme.name}" does not score the prompt by default; pass promptLength (0 if the ids are all generated) or scorePrompt: true`,
    );
  }
  const h = scheme.contextWidth;
  const start = Math.max(h, scorePrompt ? 0 : promptLength);
  const seen = new Set<string>();
  let scored = 0;
  let green = 0;
  for (let t = start; t < ids.length; t++) {
    const ctx = ids.slice(t - h, t);
    if (ignoreRepeated) {
      const key = `${ctx.join(',')}>${ids[t]}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const id = ids[t];
    if (!Number.isInteger(id) || id < 0 || id >= scheme.vocabSize) {
      throw new DataError(`detectWatermark: token id ${id} at position ${t} is outside the vocabulary [0, ${scheme.vocabSize}); was the text encoded with another tokenizer?`);
    }
    scored++;
    green += scheme.greenList(ctx).mask[id];
  }
  const z = zScore(green, scored, scheme.gamma);
  return { scored, green, z, pValue: scored === 0 ? 1 : normalSf(z), watermarked: scored > 0 && z >= threshold };
}
