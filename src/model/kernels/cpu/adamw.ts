import * as tf from '@tensorflow/tfjs';
import { hostView, ownsStorage, touched } from './hostMemory.ts';

export interface HostAdamWParams {
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  /** Bias corrections 1 − β₁ᵗ and 1 − β₂ᵗ. */
  readonly bc1: number;
  readonly bc2: number;
}

export interface HostAdamWSlot {
  readonly p: tf.Variable;
  readonly g: tf.Tensor;
  readonly m: tf.Variable;
  readonly v: tf.Variable;
  /** 1 − lr·wd for a decayed parameter, else 1. */
  readonly decay: number;
}

/** Σ g² over every gradient, read in place from host memory (f64 accumulation); null when a gradient is not on the host. */
export function sumOfSquaresHost(grads: readonly tf.Tensor[]): number | null {
  let s = 0;
  for (const g of grads) {
    const a = hostView(g);
    if (!a) return null;
    for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  }
  return s;
}

/**
 * AdamW on a CPU backend (wasm, cpu) in one pass over each parameter, writing p, m and v in place:
 *   g ← g·scale,  m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p·decay − lr·(m/bc1)/(√(v/bc2) + eps)
 * The same formula as the composite ops in nn/adamw.ts (which allocate ~15 parameter-sized
 * temporaries per tensor, held until the update ends: 15× the model on the heap and most of the
 * optimizer's time on wasm), computed in float64 per element and stored as float32.
 * Returns false, touching nothing, when a tensor is not on the host or its storage is shared
 * (the caller then takes the composite path).
 */
export function adamwUpdateHost(slots: readonly HostAdamWSlot[], scale: number, o: HostAdamWParams): boolean {
  const b1 = o.beta1;
  const b2 = o.beta2;
  const c1 = 1 - b1;
  const c2 = 1 - b2;
  for (const s of slots) if (!ownsStorage(s.p) || !ownsStorage(s.m) || !ownsStorage(s.v) || !hostView(s.g)) return false;
  for (const s of slots) {
    const p = hostView(s.p)!;
    const g = hostView(s.g)!;
    const m = hostView(s.m)!;
    const v = hostView(s.v)!;
    const decay = s.decay;
    for (let i = 0; i < p.length; i++) {
      const gi = g[i] * scale;
      const mi = b1 * m[i] + c1 * gi;
      const vi = b2 * v[i] + c2 * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = p[i] * decay - o.lr * (mi / o.bc1 / (Math.sqrt(vi / o.bc2) + o.eps));
    }
  }
  for (const s of slots) touched(s.p); // after the loop: re-registering may not move memory, but views are done
  for (const s of slots) (touched(s.m), touched(s.v));
  return true;
}
