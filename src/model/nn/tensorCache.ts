import type * as tf from '@tensorflow/tfjs';

/**
 * A bounded cache of constant tensors (masks, RoPE tables) keyed by backend and shape. Uncached
 * generation asks for one per sequence length, so without a bound it would keep O(T) tables of
 * O(T²) floats; the least recently used entry is disposed when the cache is full.
 */
export class TensorCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(
    private readonly capacity: number,
    private readonly dispose: (v: V) => void,
  ) {}

  get(key: string, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      this.entries.delete(key); // re-insert: most recently used last
      this.entries.set(key, hit);
      return hit;
    }
    const v = make();
    this.entries.set(key, v);
    if (this.entries.size > this.capacity) {
      const [oldKey, old] = this.entries.entries().next().value as [string, V];
      this.entries.delete(oldKey);
      this.dispose(old);
    }
    return v;
  }

  get size(): number {
    return this.entries.size;
  }
}

export const disposeTensor = (t: tf.Tensor): void => t.dispose();
