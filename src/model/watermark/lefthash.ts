import { type SchemeOptions, type WatermarkScheme, buildScheme } from './scheme.ts';

/** jwkirchenbauer/lm-watermarking's `hash_key` for the simple_1 ("LeftHash", h = 1) scheme. */
export const LEFTHASH_KEY = 15485863n;

/**
 * The original paper's simple_1 seeding: seed = hash_key × previous token id. The reference code
 * draws its green list with `torch.randperm` on a torch CPU generator, whose stream cannot be
 * reproduced without torch; this scheme feeds the same seed to our numpy-compatible permutation
 * instead. So its green lists are NOT those of the torch implementation: use it for comparison
 * studies of the seeding rule (e.g. versus `keyed`), not to detect text watermarked by that code.
 * Detection follows the reference detector's defaults: the prompt is not scored, repeats are counted.
 */
export function lefthashScheme(opts: SchemeOptions): WatermarkScheme {
  return buildScheme(opts, {
    name: 'lefthash',
    contextWidth: 1,
    detectDefaults: { scorePrompt: false, ignoreRepeatedNgrams: false },
    seedFor: (ctx) => LEFTHASH_KEY * BigInt(ctx[0]),
  });
}
