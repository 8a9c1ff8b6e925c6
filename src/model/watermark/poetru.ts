import { createHash } from 'node:crypto';
import { type SchemeOptions, type WatermarkScheme, buildScheme } from './scheme.ts';

/**
 * Poetru's "kirchenbauer_soft" seed for the green list after `prevTokenId`: the first 8 bytes,
 * little-endian, of SHA-256 over the UTF-8 string `kirchenbauer_soft:{prev}:{vocabSize}`.
 * E.g. prev 126, V 24000 → 9195847125392385889n.
 */
export function poetruSeed(prevTokenId: number, vocabSize: number): bigint {
  const digest = createHash('sha256').update(`kirchenbauer_soft:${prevTokenId}:${vocabSize}`, 'utf8').digest();
  return digest.readBigUInt64LE(0);
}

/**
 * The Poetru models' watermark, bit-compatible with their Python code: green list =
 * `np.random.default_rng(poetruSeed(prev, V)).permutation(V)[:int(γV)]`, γ = 0.25, δ = 2.
 * Detection, as theirs, scores every adjacent pair of the whole sequence (prompt and EOS included)
 * and counts repeats.
 */
export function poetruScheme(opts: SchemeOptions): WatermarkScheme {
  return buildScheme(opts, {
    name: 'poetru',
    contextWidth: 1,
    detectDefaults: { scorePrompt: true, ignoreRepeatedNgrams: false },
    seedFor: (ctx) => poetruSeed(ctx[0], opts.vocabSize),
  });
}
