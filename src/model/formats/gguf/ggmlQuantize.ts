import { floatToHalf, halfToFloat, toFloat16Bytes } from '../hf/floatDtypes.ts';

/**
 * Encodings of float32 values as ggml tensor data (little-endian): F32, F16, and Q8_0 (ggml's
 * quantize_row_q8_0_ref: blocks of 32 values, a half scale d = amax/127 and 32 int8 q = round(x/d),
 * ties away from zero; x ≈ d·q). Pure.
 */

export function encodeF32(x: Float32Array): Uint8Array {
  const out = new Uint8Array(x.length * 4);
  const d = new DataView(out.buffer);
  for (let i = 0; i < x.length; i++) d.setFloat32(i * 4, x[i], true);
  return out;
}

/** IEEE half, round to nearest even (floatDtypes' converter). */
export const encodeF16 = toFloat16Bytes;

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
