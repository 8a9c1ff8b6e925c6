import type { WatermarkScheme } from './scheme.ts';

/** Adds δ to the logits [V] of every green id, in place. O(γV). Returns `logits` for chaining. */
export function applyWatermark(logits: Float32Array, greenIds: ArrayLike<number>, delta: number): Float32Array {
  for (let i = 0; i < greenIds.length; i++) logits[greenIds[i]] += delta;
  return logits;
}

/**
 * Watermarks the next-token logits [V] after the token ids generated so far (prompt included), in
 * place, with the scheme's green list and δ. With fewer than h ids there is no context to seed a
 * list, so the logits are left alone, matching detection, which does not score those positions.
 */
export function watermarkLogits(logits: Float32Array, ids: readonly number[], scheme: WatermarkScheme): Float32Array {
  if (ids.length < scheme.contextWidth) return logits;
  return applyWatermark(logits, scheme.greenList(ids.slice(ids.length - scheme.contextWidth)).ids, scheme.delta);
}
