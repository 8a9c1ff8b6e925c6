/**
 * numpy's `SeedSequence` (numpy/random/bit_generator.pyx), bit for bit, for a non-negative integer
 * entropy and no spawn key. It turns a seed of any size into well-mixed 32-bit words; numpy's
 * `default_rng(seed)` feeds `generateState64(4)` of it to PCG64.
 *
 * Cost: O(pool² + words) 32-bit multiplies; negligible next to a permutation.
 */

const INIT_A = 0x43b0d7e5;
const MULT_A = 0x931e8875;
const INIT_B = 0x8b51f9dd;
const MULT_B = 0x58f38ded;
const MIX_MULT_L = 0xca01f9dd;
const MIX_MULT_R = 0x4973f715;
const XSHIFT = 16;
/** numpy's DEFAULT_POOL_SIZE: 4 words = 128 bits. */
const POOL_SIZE = 4;

/** Splits a non-negative integer into 32-bit words, least significant first; 0 gives [0] (as numpy). */
export function entropyWords(entropy: bigint | number): Uint32Array {
  let n = BigInt(entropy);
  if (n < 0n) throw new RangeError(`SeedSequence entropy must be non-negative, got ${n}`);
  if (n === 0n) return Uint32Array.of(0);
  const words: number[] = [];
  while (n > 0n) {
    words.push(Number(n & 0xffffffffn));
    n >>= 32n;
  }
  return Uint32Array.from(words);
}

export class SeedSequence {
  /** The mixed entropy pool, 4 × uint32. */
  readonly pool: Uint32Array;

  constructor(entropy: bigint | number) {
    const ent = entropyWords(entropy);
    const pool = new Uint32Array(POOL_SIZE);
    // hashConst is threaded through every hashmix call in order, as numpy's pointer argument is.
    let hashConst = INIT_A;
    const hashmix = (value: number): number => {
      value = (value ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_A) >>> 0;
      value = Math.imul(value, hashConst) >>> 0;
      return (value ^ (value >>> XSHIFT)) >>> 0;
    };
    const mix = (x: number, y: number): number => {
      const r = (Math.imul(MIX_MULT_L, x) - Math.imul(MIX_MULT_R, y)) >>> 0;
      return (r ^ (r >>> XSHIFT)) >>> 0;
    };
    for (let i = 0; i < POOL_SIZE; i++) pool[i] = hashmix(i < ent.length ? ent[i] : 0);
    for (let src = 0; src < POOL_SIZE; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) {
        if (src !== dst) pool[dst] = mix(pool[dst], hashmix(pool[src]));
      }
    }
    for (let src = POOL_SIZE; src < ent.length; src++) {
      for (let dst = 0; dst < POOL_SIZE; dst++) pool[dst] = mix(pool[dst], hashmix(ent[src]));
    }
    this.pool = pool;
  }

  /** `generate_state(n, np.uint32)`. */
  generateState32(nWords: number): Uint32Array {
    const out = new Uint32Array(nWords);
    let hashConst = INIT_B;
    for (let i = 0; i < nWords; i++) {
      let v = (this.pool[i % POOL_SIZE] ^ hashConst) >>> 0;
      hashConst = Math.imul(hashConst, MULT_B) >>> 0;
      v = Math.imul(v, hashConst) >>> 0;
      out[i] = (v ^ (v >>> XSHIFT)) >>> 0;
    }
    return out;
  }

  /** `generate_state(n, np.uint64)`: pairs of 32-bit words read little-endian. */
  generateState64(nWords: number): bigint[] {
    const w = this.generateState32(2 * nWords);
    const out: bigint[] = [];
    for (let i = 0; i < nWords; i++) out.push((BigInt(w[2 * i + 1]) << 32n) | BigInt(w[2 * i]));
    return out;
  }
}
