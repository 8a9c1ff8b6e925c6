/**
 * HF's `MinNewTokensLengthLogitsProcessor`: while fewer than `minNewTokens` tokens have been generated
 * (the prompt does not count), every end-of-sequence id gets −∞, so generation cannot stop early.
 * In place on logits [V].
 */
export function applyMinNewTokens(
  logits: Float32Array,
  newTokens: number,
  minNewTokens: number,
  eosIds: readonly number[],
): Float32Array {
  if (newTokens < minNewTokens) for (const id of eosIds) if (id >= 0 && id < logits.length) logits[id] = -Infinity;
  return logits;
}
