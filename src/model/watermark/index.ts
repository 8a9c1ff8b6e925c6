/** Green-list watermark maths (Kirchenbauer et al. 2023): schemes, logit boost, detection. */
export { applyWatermark, watermarkLogits } from './apply.ts';
export { type DetectOptions, type DetectResult, detectWatermark } from './detect.ts';
export { erfc, normalSf } from './erfc.ts';
export { type GreenList, greenListFromSeed, greenSize } from './greenList.ts';
export { type KeyedSchemeOptions, keyedScheme, keyedSeed } from './keyed.ts';
export { LEFTHASH_KEY, lefthashScheme } from './lefthash.ts';
export { LruCache } from './lruCache.ts';
export { Pcg64 } from './pcg64.ts';
export { numpyPermutation, shuffledRange } from './permutation.ts';
export { poetruScheme, poetruSeed } from './poetru.ts';
export type { DetectDefaults, SchemeOptions, WatermarkScheme } from './scheme.ts';
export { SeedSequence, entropyWords } from './seedSequence.ts';
export { zScore } from './zScore.ts';
