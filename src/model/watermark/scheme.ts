import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import { type GreenList, greenListFromSeed } from './greenList.ts';
import { LruCache } from './lruCache.ts';

/** How a scheme is scored unless the caller says otherwise (see detectWatermark). */
export interface DetectDefaults {
  /** Score tokens inside the prompt too (needs no promptLength). */
  readonly scorePrompt: boolean;
  /** Count each (context, token) pair once, so a repeated phrase cannot inflate z. */
  readonly ignoreRepeatedNgrams: boolean;
}

/**
 * A green-list watermark: which vocabulary ids are "green" after a given context of
 * `contextWidth` previous token ids, and by how much generation boosts them.
 */
export interface WatermarkScheme {
  readonly name: 'poetru' | 'keyed' | 'lefthash';
  readonly vocabSize: number;
  /** Green fraction γ. */
  readonly gamma: number;
  /** Logit boost δ added to green ids. */
  readonly delta: number;
  /** h: how many previous ids seed the green list. */
  readonly contextWidth: number;
  readonly detectDefaults: DetectDefaults;
  /** Green list after `context` (its last `contextWidth` ids, oldest first); cached. */
  greenList(context: ArrayLike<number>): GreenList;
}

/** Options every scheme takes; all but vocabSize optional. */
export interface SchemeOptions {
  readonly vocabSize: number;
  /** @default 0.25 */
  readonly gamma?: number;
  /** @default 2.0 */
  readonly delta?: number;
  /** Most green lists kept (LRU); each is (4γ+1)·V bytes. @default 1024 */
  readonly cacheSize?: number;
}

interface SchemeSpec {
  readonly name: WatermarkScheme['name'];
  readonly contextWidth: number;
  readonly detectDefaults: DetectDefaults;
  /** 64-bit (or any non-negative) seed of the permutation for a validated context. */
  readonly seedFor: (context: readonly number[]) => bigint;
}

/** Validates options and wires seed → permutation → green list → LRU cache for a scheme. */
export function buildScheme(opts: SchemeOptions, spec: SchemeSpec): WatermarkScheme {
  const { vocabSize } = opts;
  const gamma = opts.gamma ?? 0.25;
  const delta = opts.delta ?? 2.0;
  const cacheSize = opts.cacheSize ?? 1024;
  const where = `watermark scheme "${spec.name}"`;
  if (!Number.isInteger(vocabSize) || vocabSize < 2 || vocabSize > 0xffffffff) {
    throw new ConfigError(`${where}: vocabSize must be an integer in [2, 2^32), got ${vocabSize}`);
  }
  if (!(gamma > 0 && gamma < 1)) throw new ConfigError(`${where}: gamma must be in (0, 1), got ${gamma}`);
  if (Math.floor(gamma * vocabSize) < 1) {
    throw new ConfigError(`${where}: gamma ${gamma} × vocabSize ${vocabSize} leaves an empty green list; raise gamma`);
  }
  if (!Number.isFinite(delta)) throw new ConfigError(`${where}: delta must be a finite number, got ${delta}`);
  if (!Number.isInteger(cacheSize) || cacheSize < 1) {
    throw new ConfigError(`${where}: cacheSize must be an integer ≥ 1, got ${cacheSize}`);
  }
  const h = spec.contextWidth;
  const cache = new LruCache<string, GreenList>(cacheSize);
  return {
    name: spec.name,
    vocabSize,
    gamma,
    delta,
    contextWidth: h,
    detectDefaults: spec.detectDefaults,
    greenList(context) {
      if (context.length < h) {
        throw new DataError(`${where}: needs ${h} previous token id(s) to pick a green list, got ${context.length}`);
      }
      const ctx: number[] = [];
      for (let i = context.length - h; i < context.length; i++) {
        const id = context[i];
        if (!Number.isInteger(id) || id < 0 || id >= vocabSize) {
          throw new DataError(`${where}: token id ${id} is outside the vocabulary [0, ${vocabSize}); was the text encoded with another tokenizer?`);
        }
        ctx.push(id);
      }
      return cache.getOrCreate(ctx.join(','), () => greenListFromSeed(spec.seedFor(ctx), vocabSize, gamma));
    },
  };
}
