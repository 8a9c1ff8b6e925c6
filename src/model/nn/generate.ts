import * as tf from '@tensorflow/tfjs';
import { head, hiddenStates, type Weights } from './gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { feedCached, KvCache, slideKeep } from './kvCache.ts';
import { Rng } from './rng.ts';
import type { SampleOptions } from './sample.ts';
import { type Token, TokenPicker } from './tokenPicker.ts';
import type { Tokenizer } from '../tokenizer/types.ts';
import { promptIds } from '../tokenizer/documentIds.ts';
import type { WatermarkScheme } from '../watermark/scheme.ts';

/** What generation needs of a model; `tokenizer` only for text (deltas, stop strings, string prompts). */
export interface GenerateModel {
  readonly weights: Weights;
  readonly config: GptConfig;
  readonly tokenizer?: Tokenizer;
}

export type { Token } from './tokenPicker.ts';

export interface GenerateOptions extends SampleOptions {
  readonly maxNewTokens: number;
  /** Seed of the sampling Rng: the same seed, model and backend give the same tokens. @default 1337 */
  readonly seed?: number;
  /** Use this Rng instead of a fresh one from `seed` (consumes one draw per token unless greedy). */
  readonly rng?: Rng;
  /** Generation ends before the first of these strings; text that may start one is held back. @default [] */
  readonly stop?: readonly string[];
  /** Adds the scheme's δ to its green ids before sampling (and reports `green`). @default off */
  readonly watermark?: WatermarkScheme;
  /** KV cache (O(t) per token); false reruns the window each token (O(t²)). @default true */
  readonly cache?: boolean;
  /** Called before each forward pass with how many positions it feeds (metrics; tests count passes). */
  readonly onForward?: (positions: number) => void;
}

/**
 * Streams tokens after `prompt` (ids, or text when the model has a tokenizer). Per token: one
 * forward step (cached: 1 position; the prompt is one prefill), one GPU→CPU read of the logits row
 * [V] (`await data()`), then sampling on the CPU. Stops at an EOS id (`eosIds`, default the
 * tokenizer's), after `maxNewTokens`, or at a stop string. Breaking out of `for await` (or calling
 * `return()`) stops the model work before the next forward pass and frees the cache.
 */
export async function* generateTokens(model: GenerateModel, prompt: string | readonly number[], opts: GenerateOptions): AsyncGenerator<Token, void, undefined> {
  const { weights: w, config: c, tokenizer } = model;
  const promptIds = typeof prompt === 'string' ? encodePrompt(prompt, tokenizer) : [...prompt];
  if (promptIds.length === 0) throw new RangeError('generate: the prompt has no tokens; give at least one id (e.g. the EOS id)');
  const eosIds = opts.eosIds ?? (tokenizer && tokenizer.eosId >= 0 ? [tokenizer.eosId] : []);
  const sample: SampleOptions = { ...opts, eosIds };
  const stops = (opts.stop ?? []).filter((s) => s.length > 0);
  if (stops.length > 0 && !tokenizer) throw new RangeError('generate: stop strings need a tokenizer to decode the text');
  const rng = opts.rng ?? new Rng(opts.seed ?? 1337);
  const decode = tokenizer?.decoder();
  const useCache = opts.cache ?? true;
  const cache = useCache ? new KvCache(c) : null;
  const picker = new TokenPicker(promptIds, { sample, rng, watermark: opts.watermark, eosIds, stops, maxNewTokens: opts.maxNewTokens, decode });
  const ids = picker.ids;
  try {
    let pending = ids.slice(-c.context); // what the next forward pass feeds
    for (let n = 0; n < opts.maxNewTokens; n++) {
      opts.onForward?.(pending.length);
      const last = tf.tidy(() => {
        if (cache) return feedCached(tf.tensor2d(pending, [1, pending.length], 'int32'), w, c, cache).reshape([c.vocabSize]);
        // the whole window through the blocks, the head on the last position only
        const h = hiddenStates(tf.tensor2d(pending, [1, pending.length], 'int32'), w, c); // [1, t, C]
        return head(h.slice([0, pending.length - 1, 0], [1, 1, c.hidden]).reshape([1, c.hidden]) as tf.Tensor2D, w, c).reshape([c.vocabSize]);
      });
      const row = (await last.data()) as Float32Array; // sync point: one read per token
      last.dispose();
      const { token, done } = picker.next(row, n);
      yield token;
      if (done) return;
      const id = token.id;
      if (!cache) pending = ids.slice(-c.context);
      else if (cache.length < c.context) pending = [id];
      else {
        cache.clear(); // full: rebuild from the last `keep` ids (see slideKeep)
        pending = ids.slice(-slideKeep(c.context));
      }
    }
  } finally {
    cache?.dispose();
  }
}

/** A text prompt's ids as training saw a document begin (BOS first when the tokenizer adds one): promptIds. */
function encodePrompt(prompt: string, tokenizer: Tokenizer | undefined): number[] {
  if (!tokenizer) throw new RangeError('generate: a text prompt needs a tokenizer; pass token ids instead');
  return promptIds(tokenizer, prompt);
}

/**
 * Autoregressive sampling for samples during training: ids only, `stopId` not included. Now a thin
 * wrapper over `generateTokens` with the KV cache.
 */
export async function generateIds(
  w: Weights,
  c: GptConfig,
  prompt: readonly number[],
  maxNewTokens: number,
  sample: SampleOptions,
  rng: Rng,
  stopId = -1,
  onToken?: (id: number) => void,
): Promise<number[]> {
  const out: number[] = [];
  for await (const t of generateTokens({ weights: w, config: c }, prompt, { ...sample, maxNewTokens, rng, eosIds: stopId >= 0 ? [stopId] : [] })) {
    if (t.finish === 'eos') break;
    out.push(t.id);
    onToken?.(t.id);
  }
  return out;
}
