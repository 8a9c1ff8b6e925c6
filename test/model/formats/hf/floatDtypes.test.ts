import { describe, expect, it } from 'vitest';
import { decodeSafetensorsFloat, floatToHalf, halfToFloat, toFloat16Bytes, toFloat32 } from '../../../../src/model/formats/hf/floatDtypes.ts';
import { encodeSafetensors } from '../../../../src/model/formats/safetensors.ts';

/** A safetensors file with one tensor of any dtype, written by hand. */
function oneTensor(dtype: string, shape: number[], bytes: Uint8Array): Uint8Array {
  let head = JSON.stringify({ t: { dtype, shape, data_offsets: [0, bytes.length] } });
  head += ' '.repeat((8 - (head.length % 8)) % 8);
  const h = new TextEncoder().encode(head);
  const out = new Uint8Array(8 + h.length + bytes.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(bytes, 8 + h.length);
  return out;
}

describe('float dtypes', () => {
  it('half: normal, subnormal, max, infinities, NaN', () => {
    expect(halfToFloat(0x3c00)).toBe(1);
    expect(halfToFloat(0xc000)).toBe(-2);
    expect(halfToFloat(0x7bff)).toBe(65504);
    expect(halfToFloat(0x0001)).toBe(2 ** -24);
    expect(halfToFloat(0x7c00)).toBe(Infinity);
    expect(halfToFloat(0xfc00)).toBe(-Infinity);
    expect(halfToFloat(0x7e00)).toBeNaN();
  });

  it('float → half rounds to nearest even like numpy astype(float16) (values and bits from numpy 1.x)', () => {
    // x, numpy's np.float32(x).astype(np.float16).view(np.uint16)
    const cases: [number, number][] = [
      [1, 15360], [-2, 49152], [65504, 31743], [65520, 31744], [65519.98828125, 31743], [1e5, 31744],
      [9.99999993922529e-9, 0], [2 ** -24, 1], [2 ** -25, 0], [3 * 2 ** -25, 2], [5.960000137861243e-8, 1], [6.0999998822808266e-5, 1023],
      [0.1, 11878], [1 / 3, 13653], [-0, 32768], [0.500244140625, 14336], [1 + 2 ** -11, 15360], [1 + 3 * 2 ** -11, 15362],
    ];
    for (const [x, bits] of cases) expect([x, floatToHalf(x)]).toEqual([x, bits]);
    expect(floatToHalf(NaN) & 0x7fff).toBeGreaterThan(0x7c00);
    for (const h of [0x0001, 0x03ff, 0x0400, 0x3c01, 0x7bff, 0xbc00]) expect(floatToHalf(halfToFloat(h))).toBe(h); // exact round trip
    expect([...toFloat32(toFloat16Bytes(new Float32Array([1, -2, 0.5])), 'F16', 3)]).toEqual([1, -2, 0.5]);
  });

  it('bfloat16 is the top half of a float32; F64 rounds; big-endian reads', () => {
    const b = new Uint8Array([0x80, 0x3f, 0xc0, 0xc0]); // LE 0x3f80 = 1, 0xc0c0 = -6
    expect([...toFloat32(b, 'BF16', 2)]).toEqual([1, -6]);
    const d = new Uint8Array(8);
    new DataView(d.buffer).setFloat64(0, 1 / 3, false);
    expect(toFloat32(d, 'F64', 1, true)[0]).toBe(Math.fround(1 / 3));
  });

  it('decodeSafetensorsFloat reads F32 files as written by encodeSafetensors, BF16/F16 widened; other dtypes named', () => {
    const f32 = decodeSafetensorsFloat(encodeSafetensors([{ name: 'w', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) }], { format: 'pt' }), 'x');
    expect([...f32.get('w')!.data]).toEqual([1, 2, 3, 4]);
    const bf = decodeSafetensorsFloat(oneTensor('BF16', [2], new Uint8Array([0x80, 0x3f, 0xc0, 0xc0])), 'x');
    expect([...bf.get('t')!.data]).toEqual([1, -6]);
    const half = decodeSafetensorsFloat(oneTensor('F16', [1], new Uint8Array([0x00, 0x3c])), 'x');
    expect(half.get('t')!.data[0]).toBe(1);
    expect(() => decodeSafetensorsFloat(oneTensor('I64', [1], new Uint8Array(8)), 'model.safetensors')).toThrow(/model\.safetensors: tensor "t" has dtype I64/);
    expect(() => decodeSafetensorsFloat(oneTensor('F32', [3], new Uint8Array(8)), 'm')).toThrow(/offsets/);
  });
});
