import { describe, expect, it } from 'vitest';
import { decodeSafetensorsFloat, halfToFloat, toFloat32 } from '../../../../src/model/formats/hf/floatDtypes.ts';
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
