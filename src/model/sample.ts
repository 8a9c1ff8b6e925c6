import type { Rng } from './rng.ts';

export interface SampleOptions {
  /** 0 = greedy. */
  readonly temperature: number;
  /** 0 = no top-k cut. */
  readonly topK: number;
}

/**
 * Draws one token id from a row of logits [V] (already on the CPU).
 * Cost O(V log V) only when top-k is on; otherwise O(V).
 */
export function sampleToken(logits: Float32Array, opts: SampleOptions, rng: Rng): number {
  const V = logits.length;
  if (opts.temperature === 0) return argmax(logits);
  let ids: number[] | Uint32Array;
  if (opts.topK > 0 && opts.topK < V) {
    ids = Array.from({ length: V }, (_, i) => i)
      .sort((a, b) => logits[b] - logits[a])
      .slice(0, opts.topK);
  } else {
    ids = Uint32Array.from({ length: V }, (_, i) => i);
  }
  let max = -Infinity;
  for (const i of ids) if (logits[i] > max) max = logits[i];
  const weights = new Float64Array(ids.length);
  let total = 0;
  for (let k = 0; k < ids.length; k++) {
    weights[k] = Math.exp((logits[ids[k]] - max) / opts.temperature);
    total += weights[k];
  }
  let u = rng.next() * total;
  for (let k = 0; k < ids.length; k++) {
    u -= weights[k];
    if (u < 0) return ids[k];
  }
  return ids[ids.length - 1];
}

export function argmax(x: Float32Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i] > x[best]) best = i;
  return best;
}
