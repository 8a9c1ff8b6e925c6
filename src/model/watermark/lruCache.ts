/**
 * A bounded least-recently-used map. A green list costs a V-element permutation to build and 48 KB
 * at V = 24,000 (time: docs/benchmarks.md), so a scheme caches them by context with a cap instead of
 * keeping one per token ever seen.
 * Relies on Map's insertion order: a hit is re-inserted at the back, the front is evicted.
 */
export class LruCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`LRU capacity must be an integer ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.map.size;
  }

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }

  /** Returns the cached value or builds, stores and returns it. */
  getOrCreate(key: K, build: () => V): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const v = build();
    this.set(key, v);
    return v;
  }
}
