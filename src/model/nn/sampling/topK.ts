/** Order by value descending, then id ascending: a total order, so results never depend on sort internals. */
export function compareDesc(values: ArrayLike<number>, a: number, b: number): number {
  const va = values[a];
  const vb = values[b];
  if (va > vb) return -1;
  if (va < vb) return 1;
  return a - b;
}

/**
 * Ids of the k largest values [V], largest first (ties: lower id first). A size-k min-heap keeps the
 * cost at O(V log k) rather than O(V log V) for sorting all V (timings: docs/benchmarks.md).
 */
export function topKIndices(values: ArrayLike<number>, k: number): Uint32Array {
  const V = values.length;
  k = Math.min(k, V);
  // heap[0] is the worst of the kept ids; "worse" = later in compareDesc order.
  const heap = new Uint32Array(k);
  const worse = (a: number, b: number) => compareDesc(values, a, b) > 0;
  const siftDown = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < k && worse(heap[l], heap[w])) w = l;
      if (r < k && worse(heap[r], heap[w])) w = r;
      if (w === i) return;
      const t = heap[i];
      heap[i] = heap[w];
      heap[w] = t;
      i = w;
    }
  };
  for (let i = 0; i < k; i++) heap[i] = i;
  for (let i = (k >> 1) - 1; i >= 0; i--) siftDown(i);
  for (let id = k; id < V; id++) {
    if (worse(heap[0], id)) {
      heap[0] = id;
      siftDown(0);
    }
  }
  return heap.sort((a, b) => compareDesc(values, a, b));
}
