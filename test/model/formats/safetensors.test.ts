import { describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../../src/model/formats/safetensors.ts';

describe('safetensors', () => {
  it('round-trips tensors and metadata, with an 8-byte aligned data section', () => {
    const bytes = encodeSafetensors(
      [
        { name: 'a', shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
        { name: 'b', shape: [2], data: Int32Array.from([-1, 7]) },
      ],
      { step: '5' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.b).toEqual({ dtype: 'I32', shape: [2], data_offsets: [24, 32] });
    const d = decodeSafetensors(bytes);
    expect(Array.from(d.tensors.get('a')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(d.tensors.get('b')!.data)).toEqual([-1, 7]);
    expect(d.metadata).toEqual({ step: '5' });
  });

  it('reads a file written by the reference Python writer (bytes fixed here)', () => {
    // safetensors.numpy.save({"x": np.array([1.5, -2], dtype=np.float32)}): header padded with spaces to 8 bytes
    const json = '{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    const bytes = new Uint8Array(8 + padded.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(padded.length), true);
    bytes.set(new TextEncoder().encode(padded), 8);
    new DataView(bytes.buffer).setFloat32(8 + padded.length, 1.5, true);
    new DataView(bytes.buffer).setFloat32(8 + padded.length + 4, -2, true);
    expect(Array.from(decodeSafetensors(bytes).tensors.get('x')!.data)).toEqual([1.5, -2]);
  });

  it('says what is wrong with a damaged file', () => {
    expect(() => decodeSafetensors(new Uint8Array(4))).toThrow(/shorter than/);
    const bytes = encodeSafetensors([{ name: 'a', shape: [4], data: new Float32Array(4) }]);
    expect(() => decodeSafetensors(bytes.subarray(0, bytes.length - 4))).toThrow(/offsets/);
  });
});
