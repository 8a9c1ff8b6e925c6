/**
 * Applies BPE merges to one word, exactly as HF's `Word::merge_all`: a min-heap of candidate merges keyed by
 * (rank, position), stale candidates skipped when the pair at that position no longer yields the same token.
 * Cost O(n log n) for a word of n symbols.
 */

/** Pair key of two token ids (< 2^21 each); numeric order = lexicographic order of (a, b). */
export function pairKey(a: number, b: number): number {
  return a * 0x200000 + b;
}

/** merges: pairKey → rank * 2^21 + new id (one packed number, so one Map lookup per pair). */
export type MergeTable = ReadonlyMap<number, number>;

export function packMerge(rank: number, newId: number): number {
  return rank * 0x200000 + newId;
}

/** Merges `ids` (the symbols of one word) in place and returns the merged ids. */
export function mergeWord(ids: number[], merges: MergeTable): number[] {
  const n = ids.length;
  if (n < 2) return ids;
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  // heap of packed (rank, pos, newId) as [key = rank * n + pos, newId] pairs
  const keys: number[] = [];
  const vals: number[] = [];
  const push = (rank: number, pos: number, newId: number): void => {
    let i = keys.length;
    const k = rank * n + pos;
    keys.push(k);
    vals.push(newId);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (keys[p] <= k) break;
      keys[i] = keys[p];
      vals[i] = vals[p];
      i = p;
    }
    keys[i] = k;
    vals[i] = newId;
  };
  const pop = (): void => {
    const k = keys.pop()!;
    const v = vals.pop()!;
    const len = keys.length;
    if (!len) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= len) break;
      if (c + 1 < len && keys[c + 1] < keys[c]) c++;
      if (keys[c] >= k) break;
      keys[i] = keys[c];
      vals[i] = vals[c];
      i = c;
    }
    keys[i] = k;
    vals[i] = v;
  };
  const consider = (pos: number, right: number): void => {
    const m = merges.get(pairKey(ids[pos], ids[right]));
    if (m !== undefined) push(Math.floor(m / 0x200000), pos, m % 0x200000);
  };
  for (let i = 0; i + 1 < n; i++) consider(i, i + 1);
  while (keys.length) {
    const pos = keys[0] % n;
    const newId = vals[0];
    pop();
    if (!alive[pos]) continue;
    const right = next[pos];
    if (right < 0) continue;
    const m = merges.get(pairKey(ids[pos], ids[right]));
    if (m === undefined || m % 0x200000 !== newId) continue;
    ids[pos] = newId;
    alive[right] = 0;
    next[pos] = next[right];
    if (next[right] >= 0) prev[next[right]] = pos;
    if (prev[pos] >= 0) consider(prev[pos], pos);
    if (next[pos] >= 0) consider(pos, next[pos]);
  }
  const out: number[] = [];
  for (let i = 0; i < n; i++) if (alive[i]) out.push(ids[i]);
  return out;
}
