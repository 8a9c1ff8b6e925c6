import { SeedSequence } from './seedSequence.ts';

/**
 * numpy's PCG64 bit generator (numpy/random/src/pcg64/pcg64.h: PCG XSL-RR 128/64, LCG multiplier
 * 0x2360ED051FC65DA44385DF649FCCF645), reproducing `np.random.PCG64(seed)` output exactly.
 *
 * The 128-bit state is eight 16-bit limbs held in doubles: one LCG step is 36 limb products whose
 * column sums stay below 2^36, exact in float64, and faster than a BigInt `asUintN(128, s·M + inc)`
 * step (timings: docs/benchmarks.md#figures-behind-source-comments).
 */

const LIMBS = 8;
const TWO16 = 65536;

function toLimbs(x: bigint): Float64Array {
  const l = new Float64Array(LIMBS);
  let v = BigInt.asUintN(128, x);
  for (let i = 0; i < LIMBS; i++) {
    l[i] = Number(v & 0xffffn);
    v >>= 16n;
  }
  return l;
}

function fromLimbs(l: Float64Array): bigint {
  let v = 0n;
  for (let i = LIMBS - 1; i >= 0; i--) v = (v << 16n) | BigInt(l[i]);
  return v;
}

export class Pcg64 {
  private readonly s: Float64Array;
  private readonly inc: Float64Array;
  /** Output of the last 64-bit draw, split for the 32-bit path. */
  private hi = 0;
  private lo = 0;
  /** numpy's has_uint32 / uinteger: the high half of a 64-bit draw waiting to be returned. */
  private hasUint32 = false;
  private uinteger = 0;

  /**
   * `pcg64_set_seed(initstate, initseq)`: inc = initseq·2+1; state = 0, step, state += initstate, step.
   * Both arguments are taken mod 2^128.
   */
  constructor(initState: bigint, initSeq: bigint) {
    this.inc = toLimbs((BigInt.asUintN(128, initSeq) << 1n) | 1n);
    this.s = new Float64Array(LIMBS);
    this.step();
    this.addInto(this.s, toLimbs(initState));
    this.step();
  }

  /** `np.random.PCG64(seed)` / `np.random.default_rng(seed)`'s bit generator for an integer seed. */
  static fromSeed(seed: bigint | number): Pcg64 {
    const [s0, s1, i0, i1] = new SeedSequence(seed).generateState64(4);
    return new Pcg64((s0 << 64n) | s1, (i0 << 64n) | i1);
  }

  /** The 128-bit LCG state (for tests and checkpoints). */
  state(): bigint {
    return fromLimbs(this.s);
  }

  /** `next_uint64` as a BigInt (slow path; for tests and `random_raw` parity). */
  next64(): bigint {
    this.draw();
    return (BigInt(this.hi >>> 0) << 32n) | BigInt(this.lo >>> 0);
  }

  /** `next_uint32`: low half of a fresh 64-bit draw, then its high half on the next call. */
  nextUint32(): number {
    if (this.hasUint32) {
      this.hasUint32 = false;
      return this.uinteger;
    }
    this.draw();
    this.hasUint32 = true;
    this.uinteger = this.hi >>> 0;
    return this.lo >>> 0;
  }

  /**
   * numpy's `random_interval(max)`: uniform integer in [0, max] by masked rejection on 32-bit draws.
   * Only the 32-bit path is implemented (max < 2^32), which covers every vocabulary.
   */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) throw new RangeError(`interval max ${max} exceeds 2^32-1`);
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** Advance first, then output XSL-RR of the new state (as numpy's pcg64_random_r). */
  private draw(): void {
    this.step();
    const s = this.s;
    const xLo = ((s[4] + s[5] * TWO16) ^ (s[0] + s[1] * TWO16)) >>> 0;
    const xHi = ((s[6] + s[7] * TWO16) ^ (s[2] + s[3] * TWO16)) >>> 0;
    const rot = s[7] >>> 10; // state >> 122
    if (rot === 0) {
      this.hi = xHi;
      this.lo = xLo;
    } else if (rot < 32) {
      this.lo = ((xLo >>> rot) | (xHi << (32 - rot))) >>> 0;
      this.hi = ((xHi >>> rot) | (xLo << (32 - rot))) >>> 0;
    } else if (rot === 32) {
      this.lo = xHi;
      this.hi = xLo;
    } else {
      const r = rot - 32;
      this.lo = ((xHi >>> r) | (xLo << (32 - r))) >>> 0;
      this.hi = ((xLo >>> r) | (xHi << (32 - r))) >>> 0;
    }
  }

  /**
   * state = state·MULT + inc (mod 2^128): schoolbook on 16-bit limbs, unrolled with the multiplier's
   * limbs (0xf645, 0x9fcc, … least significant first) inlined: column k sums a_i·m_(k−i) for i ≤ k
   * plus the carry. Unrolled because it is nearly the whole cost of a permutation, and the unrolled
   * form is faster than the loop (docs/benchmarks.md).
   */
  private step(): void {
    const s = this.s, c = this.inc;
    const a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7];
    let acc: number, hi: number;
    acc = c[0] + a0 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[0] = acc - hi * 65536;
    acc = hi + c[1] + a0 * 0x9fcc + a1 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[1] = acc - hi * 65536;
    acc = hi + c[2] + a0 * 0xdf64 + a1 * 0x9fcc + a2 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[2] = acc - hi * 65536;
    acc = hi + c[3] + a0 * 0x4385 + a1 * 0xdf64 + a2 * 0x9fcc + a3 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[3] = acc - hi * 65536;
    acc = hi + c[4] + a0 * 0x5da4 + a1 * 0x4385 + a2 * 0xdf64 + a3 * 0x9fcc + a4 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[4] = acc - hi * 65536;
    acc = hi + c[5] + a0 * 0x1fc6 + a1 * 0x5da4 + a2 * 0x4385 + a3 * 0xdf64 + a4 * 0x9fcc + a5 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[5] = acc - hi * 65536;
    acc = hi + c[6] + a0 * 0xed05 + a1 * 0x1fc6 + a2 * 0x5da4 + a3 * 0x4385 + a4 * 0xdf64 + a5 * 0x9fcc + a6 * 0xf645;
    hi = Math.floor(acc / 65536);
    s[6] = acc - hi * 65536;
    acc = hi + c[7] + a0 * 0x2360 + a1 * 0xed05 + a2 * 0x1fc6 + a3 * 0x5da4 + a4 * 0x4385 + a5 * 0xdf64 + a6 * 0x9fcc + a7 * 0xf645;
    s[7] = acc - Math.floor(acc / 65536) * 65536;
  }

  private addInto(a: Float64Array, b: Float64Array): void {
    let carry = 0;
    for (let k = 0; k < LIMBS; k++) {
      const acc = a[k] + b[k] + carry;
      a[k] = acc % TWO16;
      carry = acc >= TWO16 ? 1 : 0;
    }
  }
}

