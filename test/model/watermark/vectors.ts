import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

/** Reference values written by scripts/watermark-numpy-vectors.py (numpy, hashlib, hmac, math). */
export interface NumpyVectors {
  numpy: string;
  seedSequence: { entropy: string; pool: number[]; state32: number[]; state64: string[] }[];
  pcg64: { seed: string; state: string; inc: string; raw: string[] }[];
  smallPermutations: { n: number; seed: string; perm: number[] }[];
  poetru: {
    prev: number;
    V: number;
    seed: string;
    permHead: number[];
    permSha: string;
    greenSize: number;
    greenSortedHead: number[];
  }[];
  lefthash: { prev: number; V: number; seed: string; greenSha: string }[];
  keyed: { key: string; cases: { ctx: number[]; V: number; seed: string; greenSha: string }[] };
  erfc: [number, number][];
}

export const vectors: NumpyVectors = JSON.parse(
  readFileSync(new URL('./fixtures/numpy-vectors.json', import.meta.url), 'utf8'),
);

/** sha256 hex of ids as little-endian uint32, as the Python script hashes `np.asarray(a, '<u4')`. */
export function idsSha(ids: Uint32Array): string {
  return createHash('sha256').update(new Uint8Array(ids.buffer, ids.byteOffset, ids.byteLength)).digest('hex');
}
