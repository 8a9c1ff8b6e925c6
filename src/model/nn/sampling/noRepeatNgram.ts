/**
 * Ids that would complete an n-gram already present in `ids`, as HF's `NoRepeatNGramLogitsProcessor`:
 * with L = ids.length, the last n−1 ids are the prefix; every earlier occurrence of that prefix bans
 * the id that followed it. None while L + 1 < n. n = 1 bans every id seen. O(L·n).
 */
export function bannedNgramTokens(ids: readonly number[], n: number): number[] {
  const L = ids.length;
  if (n < 1 || L + 1 < n) return [];
  const start = L - n + 1; // prefix = ids[start .. L−1], length n−1
  const banned = new Set<number>();
  for (let i = 0; i + n <= L; i++) {
    let match = true;
    for (let j = 0; j < n - 1 && match; j++) match = ids[i + j] === ids[start + j];
    if (match) banned.add(ids[i + n - 1]);
  }
  return [...banned];
}

/** Sets the logit [V] of every banned id (see bannedNgramTokens) to −∞, in place. */
export function applyNoRepeatNgram(logits: Float32Array, ids: readonly number[], n: number): Float32Array {
  for (const id of bannedNgramTokens(ids, n)) if (id >= 0 && id < logits.length) logits[id] = -Infinity;
  return logits;
}
