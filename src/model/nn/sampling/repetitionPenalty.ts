/**
 * CTRL's repetition penalty as HF's `RepetitionPenaltyLogitsProcessor`: every id already in the
 * context (prompt included) has its logit divided by `penalty` if positive, multiplied if not, so
 * penalty > 1 always makes a seen token less likely. Each distinct id is penalised once, however often
 * it occurs. In place on logits [V]; O(n + distinct ids).
 */
export function applyRepetitionPenalty(logits: Float32Array, ids: readonly number[], penalty: number): Float32Array {
  if (penalty === 1) return logits;
  const done = new Set<number>();
  for (const id of ids) {
    if (done.has(id) || id < 0 || id >= logits.length) continue;
    done.add(id);
    const l = logits[id];
    logits[id] = l > 0 ? l / penalty : l * penalty;
  }
  return logits;
}
