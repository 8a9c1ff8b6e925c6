import { halfToFloat } from '../hf/floatDtypes.ts';

/**
 * Encodings of float32 values as ggml tensor data (little-endian): F32, F16 (IEEE half, round to
 * nearest even), and Q8_0 (ggml's quantize_row_q8_0_ref: blocks of 32 values, a half scale
 * d = amax/127 and 32 int8 q = round(x/d), ties away from zero; x ≈ d·q). Pure.
 */

/** float → IEEE half bits, round to nearest even (overflow → ±Inf, NaN kept). */
export function floatToHalf(x: number): number {
  const f = new Float32Array(1);
  const u = new Uint32Array(f.buffer);
  f[0] = x;
  const bits = u[0];
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000; // subnormal half: shift the implicit 1 in
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && m & 1)) m++;
    return sign | m;
  }
  let m = mant >>> 13;
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && m & 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      e++;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function encodeF32(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const d = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) d.setFloat32(i * 4, x[i], true);
  return out;
}

export function encodeF16(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 2);
  const d = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) d.setUint16(i * 2, floatToHalf(x[i]), true);
  return out;
}

/** Q8_0 blocks of x (length a multiple of 32; rows must be multiples of 32 too, the caller checks). */
export function encodeQ8_0(x: Float32Array): Uint8Array {
  if (x.length % 32) throw new Error(`Q8_0 needs a multiple of 32 values, got ${x.length}`);
  const out = new Uint8Array((x.length / 32) * 34);
  const d = new DataView(out.buffer);
  for (let b = 0; b < x.length / 32; b++) {
    let amax = 0;
    for (let j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[b * 32 + j]));
    const scale = Math.fround(amax / 127);
    const inv = scale ? Math.fround(1 / scale) : 0;
    d.setUint16(b * 34, floatToHalf(scale), true);
    for (let j = 0; j < 32; j++) {
      const v = Math.fround(x[b * 32 + j] * inv);
      d.setInt8(b * 34 + 2 + j, Math.sign(v) * Math.round(Math.abs(v))); // roundf: ties away from zero
    }
  }
  return out;
}

/** The float32 values a Q8_0 tensor stands for (d·q), for tests and agreement figures. */
export function decodeQ8_0(bytes: Uint8Array, count: number): Float32Array {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  for (let b = 0; b < count / 32; b++) {
    const scale = halfToFloat(d.getUint16(b * 34, true));
    for (let j = 0; j < 32; j++) out[b * 32 + j] = scale * d.getInt8(b * 34 + 2 + j);
  }
  return out;
}
