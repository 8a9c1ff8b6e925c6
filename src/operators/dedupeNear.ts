import { defer, type OperatorFunction } from 'rxjs';
import type { FilterReport } from '../core/events.ts';
import { countedFilter } from './countedFilter.ts';

export interface NearDupeOptions {
  /** Estimated Jaccard similarity of character shingles at or above which a row is a near-duplicate of an earlier kept one (0 < t ≤ 1). */
  readonly threshold: number;
  /** Characters per shingle (after lowercasing and collapsing whitespace). @default 5 */
  readonly shingle?: number;
  /** MinHash functions (the signature's length). @default 128 */
  readonly perms?: number;
  /** Seeds the hash functions: the same seed drops the same rows. @default 0 */
  readonly seed?: number;
}

/** MurmurHash3's 32-bit finalizer: a bijection of 32-bit words, so each salted copy is a permutation. */
function fmix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The distinct k-character shingles of `text` (lowercased, runs of whitespace as one space), as sorted 32-bit FNV-1a hashes; a text shorter than k is one shingle. */
export function shingleHashes(text: string, k: number): Uint32Array {
  const t = text.toLowerCase().replace(/\s+/g, ' ').trim();
  const n = Math.max(1, t.length - k + 1);
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let h = 0x811c9dc5;
    for (let j = i; j < Math.min(t.length, i + k); j++) h = Math.imul(h ^ t.charCodeAt(j), 0x01000193);
    all[i] = h >>> 0;
  }
  all.sort();
  let u = 0;
  for (let i = 0; i < n; i++) if (i === 0 || all[i] !== all[i - 1]) all[u++] = all[i];
  return all.slice(0, u);
}

/** The MinHash signature: for each of `perms` salted permutations, the least permuted shingle hash. */
export function minHash(shingles: Uint32Array, perms: number, seed: number): Uint32Array {
  const sig = new Uint32Array(perms).fill(0xffffffff);
  for (let p = 0; p < perms; p++) {
    const salt = fmix32((seed ^ Math.imul(p + 1, 0x9e3779b1)) >>> 0);
    let m = 0xffffffff;
    for (let i = 0; i < shingles.length; i++) {
      let h = (shingles[i] ^ salt) >>> 0;
      h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
      h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
      h = (h ^ (h >>> 16)) >>> 0;
      if (h < m) m = h;
    }
    sig[p] = m;
  }
  return sig;
}

/** Share of equal positions of two signatures: an unbiased estimate of the sets' Jaccard similarity. */
export function signatureSimilarity(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * LSH bands × rows (bands·rows ≤ perms) whose S-curve midpoint (1/bands)^(1/rows) is nearest the
 * threshold: pairs above it share a band with high probability and become candidates.
 */
export function lshBands(threshold: number, perms: number): { readonly bands: number; readonly rows: number } {
  let best = { bands: 1, rows: perms, d: Infinity };
  for (let rows = 1; rows <= perms; rows++) {
    const bands = Math.floor(perms / rows);
    const d = Math.abs((1 / bands) ** (1 / rows) - threshold);
    if (d < best.d) best = { bands, rows, d };
  }
  return { bands: best.bands, rows: best.rows };
}

/**
 * Drops rows that are near-duplicates of an earlier kept row: MinHash signatures of their character
 * shingles, LSH bands to find candidates, and a candidate is a duplicate when its signatures agree on
 * at least `threshold` of their positions (estimated Jaccard ≥ threshold). Keeps the first of a group.
 * Seeded, so the same corpus, options and seed drop the same rows. Resident: 4·perms bytes per kept
 * row plus one bucket entry per band (≈ 1 KB per row with the defaults). Reports as `near_dupes`.
 *
 * @example
 * rows$.pipe(dedupeNear({ threshold: 0.8, shingle: 5, seed: 1 }, report))
 */
export function dedupeNear<T extends { readonly text: string }>(o: NearDupeOptions, report?: (r: FilterReport) => void): OperatorFunction<T, T> {
  const k = o.shingle ?? 5;
  const perms = o.perms ?? 128;
  const seed = o.seed ?? 0;
  const { bands, rows } = lshBands(o.threshold, perms);
  return (source) =>
    defer(() => {
      const kept: Uint32Array[] = [];
      const buckets = new Map<number, number[]>();
      const bandKey = (sig: Uint32Array, b: number): number => {
        let h = 0x811c9dc5 ^ b;
        for (let i = b * rows; i < (b + 1) * rows; i++) h = fmix32((h ^ sig[i]) >>> 0);
        return b * 0x1_0000_0000 + h;
      };
      return source.pipe(
        countedFilter(
          'near_dupes',
          (row) => {
            const sig = minHash(shingleHashes(row.text, k), perms, seed);
            const keys = Array.from({ length: bands }, (_, b) => bandKey(sig, b));
            const checked = new Set<number>();
            for (const key of keys)
              for (const j of buckets.get(key) ?? []) {
                if (checked.has(j)) continue;
                checked.add(j);
                if (signatureSimilarity(sig, kept[j]) >= o.threshold) return false;
              }
            const id = kept.push(sig) - 1;
            for (const key of keys) {
              const list = buckets.get(key);
              if (list) list.push(id);
              else buckets.set(key, [id]);
            }
            return true;
          },
          report,
        ),
      );
    });
}
