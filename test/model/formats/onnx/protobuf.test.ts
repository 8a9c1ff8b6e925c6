import { describe, expect, it } from 'vitest';
import { ProtoWriter } from '../../../../src/model/formats/onnx/protobuf.ts';
import { quantizeInt8 } from '../../../../src/model/formats/onnx/weightStorage.ts';

describe('ProtoWriter', () => {
  it('writes the wire format by hand-computed bytes: varints, negative int64, floats, strings, nested and packed fields', () => {
    // field 1 varint 150 = 08 96 01 (the protobuf documentation's example); field 2 "hi" = 12 02 68 69
    expect([...new ProtoWriter().int(1, 150).string(2, 'hi').finish()]).toEqual([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69]);
    // -1 as int64: ten bytes, ff×9 then 01
    expect([...new ProtoWriter().int(3, -1).finish()]).toEqual([0x18, ...new Array(9).fill(0xff), 0x01]);
    expect([...new ProtoWriter().int(1, 2 ** 40).finish()]).toEqual([0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
    // float field 2 (wire type 5): 1.0 = 00 00 80 3f
    expect([...new ProtoWriter().float(2, 1).finish()]).toEqual([0x15, 0x00, 0x00, 0x80, 0x3f]);
    // nested message field 7 holding field 1 = 1; packed field 8 [3, 270]
    const inner = new ProtoWriter().int(1, 1);
    expect([...new ProtoWriter().message(7, inner).packedInts(8, [3, 270]).finish()]).toEqual([0x3a, 0x02, 0x08, 0x01, 0x42, 0x03, 0x03, 0x8e, 0x02]);
  });

  it('keeps large byte fields by reference and lengths them right', () => {
    const big = new Uint8Array(300).fill(7);
    const w = new ProtoWriter().bytes(9, big);
    expect(w.parts().some((p) => p === big)).toBe(true);
    expect([...w.finish().subarray(0, 3)]).toEqual([0x4a, 0xac, 0x02]); // 300 = ac 02
    expect(w.length).toBe(303);
  });
});

describe('quantizeInt8', () => {
  it('symmetric per column (axis 1) or per row (axis 0): amax/127 scales, round to nearest, error ≤ scale/2', () => {
    const a = Float32Array.from([1, -0.5, 0.25, 127, 0, 0]); // [3, 2]: rows [1, -0.5], [0.25, 127], [0, 0]
    const byCol = quantizeInt8(a, 3, 2, 1); // column amax 1 and 127
    expect([...byCol.scales]).toEqual([Math.fround(1 / 127), 1]);
    expect([...byCol.q]).toEqual([127, 0, 32, 127, 0, 0]); // -0.5 → -0; 0.25·127 = 31.75 → 32
    const byRow = quantizeInt8(a, 3, 2, 0); // row amax 1, 127, 0
    expect([...byRow.scales]).toEqual([Math.fround(1 / 127), 1, 1]); // an all-zero row gets scale 1
    expect([...byRow.q]).toEqual([127, -64, 0, 127, 0, 0]); // -0.5 / fround(1/127) = -63.5000… → -64; 0.25 → 0
    for (let i = 0; i < 6; i++) expect(Math.abs(byCol.q[i] * byCol.scales[i % 2] - a[i])).toBeLessThanOrEqual(byCol.scales[i % 2] / 2 + 1e-7);
  });
});
