import { CheckpointError } from '../../../core/errors/CheckpointError.ts';
import type { NamedArray } from '../safetensors.ts';

/**
 * Float dtypes of Hugging Face and PyTorch checkpoints, widened to float32 (exact for F16 and BF16;
 * F64 is rounded to nearest). Bytes are little-endian unless `bigEndian`.
 */
export type FloatDtype = 'F32' | 'F16' | 'BF16' | 'F64';

export const DTYPE_BYTES: Readonly<Record<FloatDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** IEEE half → float. */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * float → IEEE half bits, rounded to nearest even (as numpy's astype(float16) and PyTorch's .half()):
 * overflow → ±Infinity, values below half's smallest subnormal → ±0, NaN stays NaN.
 */
export function floatToHalf(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000; // implicit 1
    const shift = 14 - e;
    const half = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    return sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
  }
  const half = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  // a carry out of the mantissa correctly bumps the exponent (up to Infinity)
  return sign | (half + (rest > 0x1000 || (rest === 0x1000 && half & 1) ? 1 : 0));
}

/** float32 values → little-endian IEEE half bytes (2 per value), each rounded to nearest even. */
export function toFloat16Bytes(a: Float32Array): Uint8Array {
  const out = new Uint16Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = floatToHalf(a[i]);
  return new Uint8Array(out.buffer); // little-endian on every platform Node runs on
}

/** `count` values of `dtype` from `bytes` (any alignment) → Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: FloatDtype, count: number, bigEndian = false): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = !bigEndian;
  const out = new Float32Array(count);
  if (dtype === 'F32') for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, le);
  else if (dtype === 'F64') for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, le);
  else if (dtype === 'F16') for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, le));
  else {
    const u = new Uint32Array(1);
    const f = new Float32Array(u.buffer);
    for (let i = 0; i < count; i++) {
      u[0] = view.getUint16(i * 2, le) << 16; // bfloat16 is the top half of a float32
      out[i] = f[0];
    }
  }
  return out;
}

/**
 * A safetensors file with float tensors of any of F32, F16, BF16, F64 (Hugging Face checkpoints are
 * often half precision) → float32 arrays by name. Throws a CheckpointError naming `where` and the
 * tensor for another dtype or a malformed header.
 */
export function decodeSafetensorsFloat(bytes: Uint8Array, where: string): Map<string, NamedArray> {
  if (bytes.length < 8) throw new CheckpointError(`${where}: shorter than the 8-byte safetensors header`);
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new CheckpointError(`${where}: header length ${n} does not fit a ${bytes.length}-byte file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new CheckpointError(`${where}: header is not valid JSON (${(e as Error).message})`);
  }
  const base = 8 + n;
  const out = new Map<string, NamedArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const dtype = info.dtype as FloatDtype;
    if (!(dtype in DTYPE_BYTES)) throw new CheckpointError(`${where}: tensor "${name}" has dtype ${info.dtype}; weights must be F32, F16, BF16 or F64`);
    const count = info.shape.reduce((a, d) => a * d, 1);
    const [b, e] = info.data_offsets;
    if (e - b !== count * DTYPE_BYTES[dtype] || base + e > bytes.length) throw new CheckpointError(`${where}: tensor "${name}": offsets [${b}, ${e}] do not match ${dtype} [${info.shape}]`);
    out.set(name, { name, shape: info.shape, data: toFloat32(bytes.subarray(base + b, base + e), dtype, count) });
  }
  return out;
}
