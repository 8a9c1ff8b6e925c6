import { createHmac } from 'node:crypto';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { type SchemeOptions, type WatermarkScheme, buildScheme } from './scheme.ts';

/** Options of the keyed scheme. */
export interface KeyedSchemeOptions extends SchemeOptions {
  /** Secret key; a string is taken as UTF-8. Whoever holds it can detect (and forge) the mark. */
  readonly key: string | Uint8Array;
  /** h: previous token ids hashed into the seed. Larger h resists paraphrase less but hides the lists better. @default 1 */
  readonly contextWidth?: number;
}

/**
 * Seed of the keyed scheme: first 8 bytes, little-endian, of
 * HMAC-SHA256(key, UTF-8 `keyed:{V}:{id_1,…,id_h}`), ids oldest first.
 */
export function keyedSeed(key: string | Uint8Array, context: readonly number[], vocabSize: number): bigint {
  return createHmac('sha256', key).update(`keyed:${vocabSize}:${context.join(',')}`, 'utf8').digest().readBigUInt64LE(0);
}

/**
 * Versiflow's default watermark: like Poetru's, but the seed is an HMAC under a secret key over the
 * previous h ids, so nobody without the key can tell green from red.
 *
 * Choice of permutation: the HMAC seed goes through the same numpy-compatible PCG64 shuffle as
 * `poetru`, not a faster ad-hoc keyed permutation, so a Python checker reproduces a green list with
 * `np.random.default_rng(int.from_bytes(hmac.new(key, msg, 'sha256').digest()[:8], 'little'))
 * .permutation(V)[:int(gamma * V)]`, and the list has exactly floor(γV) ids. Cost: one V-element
 * permutation per unseen context (time: docs/benchmarks.md), amortised by the LRU cache.
 * Detection defaults: prompt not scored, each (context, token) pair counted once.
 */
export function keyedScheme(opts: KeyedSchemeOptions): WatermarkScheme {
  const h = opts.contextWidth ?? 1;
  if (!Number.isInteger(h) || h < 1) throw new ConfigError(`watermark scheme "keyed": contextWidth must be an integer ≥ 1, got ${h}`);
  if (opts.key.length === 0) throw new ConfigError('watermark scheme "keyed": key is empty; set a secret watermark key');
  const key = typeof opts.key === 'string' ? opts.key : Buffer.from(opts.key);
  return buildScheme(opts, {
    name: 'keyed',
    contextWidth: h,
    detectDefaults: { scorePrompt: false, ignoreRepeatedNgrams: true },
    seedFor: (ctx) => keyedSeed(key, ctx, opts.vocabSize),
  });
}
