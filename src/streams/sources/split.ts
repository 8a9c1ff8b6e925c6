import { ConfigError } from '../../core/errors/ConfigError.ts';

/**
 * Deterministic train/validation split of documents by index: document `index` is validation when
 * `hash(seed, index)`, read as a uniform number in [0, 1), is below `valFraction`. The decision for
 * one document depends on nothing else, so it needs no pass over the corpus, survives resumes, and
 * adding documents at the end never moves earlier ones between the sets. The same seed gives the
 * same split on every machine; another seed gives an independent one.
 *
 * The hash mixes the seed and the index (both taken as whole numbers below 2^53, high and low 32-bit
 * words separately) with the murmur3 finaliser; its top 32 bits give the uniform number.
 *
 * @throws ConfigError when valFraction is outside [0, 1] or seed is not a whole number.
 * @throws RangeError when index is not a whole number >= 0.
 */
export function isValidationDoc(index: number, seed: number, valFraction: number): boolean {
  checkFraction(valFraction);
  // a bad index is a caller bug, not a user setting
  if (!Number.isSafeInteger(index) || index < 0) throw new RangeError(`document index must be a whole number >= 0, got ${index}`);
  if (!Number.isSafeInteger(seed)) throw new ConfigError(`split seed must be a whole number, got ${seed}`);
  return uniform(seed, index) < valFraction;
}

/**
 * For a corpus that is a single document (a .txt), the split is by characters: the last valFraction
 * of the text is validation, as in nanoGPT (`train = data[:int(n*0.9)]`). The cut is at
 * `floor(length * (1 - valFraction))` UTF-16 code units, moved one unit later if it would split a
 * surrogate pair, so both parts are valid strings and `train + val === text`.
 *
 * @throws ConfigError when valFraction is outside [0, 1].
 */
export function splitSingleText(text: string, valFraction: number): { train: string; val: string } {
  checkFraction(valFraction);
  let cut = Math.floor(text.length * (1 - valFraction));
  const code = text.charCodeAt(cut);
  if (cut > 0 && code >= 0xdc00 && code <= 0xdfff) cut++; // low surrogate: keep the pair together
  return { train: text.slice(0, cut), val: text.slice(cut) };
}

function checkFraction(valFraction: number): void {
  if (!(valFraction >= 0 && valFraction <= 1)) {
    throw new ConfigError(`valFraction must be in [0, 1] (e.g. 0.1 for 10% validation), got ${valFraction}`);
  }
}

/** Uniform in [0, 1) from (seed, index): two rounds of the murmur3 fmix32 over the 32-bit words. */
function uniform(seed: number, index: number): number {
  const seedLo = seed >>> 0;
  const seedHi = Math.floor(seed / 2 ** 32) >>> 0;
  const idxLo = index >>> 0;
  const idxHi = Math.floor(index / 2 ** 32) >>> 0;
  let h = fmix32(seedLo ^ Math.imul(seedHi, 0x9e3779b1) ^ 0x5bd1e995);
  h = fmix32(h ^ idxLo);
  h = fmix32((h + Math.imul(idxHi, 0x85ebca6b) + 0x27d4eb2f) >>> 0);
  return h / 2 ** 32;
}

function fmix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
