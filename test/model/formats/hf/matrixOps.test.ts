import { describe, expect, it } from 'vitest';
import { concatColumns, interleavedToHalf, matmul64, permuteHeadColumns, sliceColumns, transpose, vecmatAdd64 } from '../../../../src/model/formats/hf/matrixOps.ts';

describe('matrixOps', () => {
  const a = Float32Array.of(1, 2, 3, 4, 5, 6); // [2, 3]

  it('transpose, column slices and concatenation', () => {
    expect([...transpose(a, 2, 3)]).toEqual([1, 4, 2, 5, 3, 6]);
    expect([...sliceColumns(a, 2, 3, 1, 2)]).toEqual([2, 3, 5, 6]);
    expect([...concatColumns([{ data: sliceColumns(a, 2, 3, 0, 1), cols: 1 }, { data: sliceColumns(a, 2, 3, 1, 2), cols: 2 }], 2)]).toEqual([...a]);
    expect(() => transpose(a, 4, 2)).toThrow(/do not make \[4, 2\]/);
  });

  it('matmul64 and vecmatAdd64 accumulate in float64 and round once', () => {
    expect([...matmul64(a, transpose(a, 2, 3), 2, 3, 2)]).toEqual([14, 32, 32, 77]);
    // 1 + 2^-30 - 1 in float32 steps would be 0; accumulated in float64 it is 2^-30
    expect(vecmatAdd64(Float32Array.of(1, 2 ** -30, -1), Float32Array.of(1, 1, 1), 3, 1)[0]).toBe(2 ** -30);
    expect([...vecmatAdd64(Float32Array.of(1, 1), Float32Array.of(1, 2, 3, 4), 2, 2, Float32Array.of(10, 20))]).toEqual([14, 26]);
  });

  it('interleavedToHalf: position j·d/2 + i takes feature 2i + j; applied per head', () => {
    expect([...interleavedToHalf(6)]).toEqual([0, 2, 4, 1, 3, 5]);
    const perm = interleavedToHalf(4);
    // one row, 2 heads of 4: [a0 b0 a1 b1 | c0 d0 c1 d1] → [a0 a1 b0 b1 | c0 c1 d0 d1]
    expect([...permuteHeadColumns(Float32Array.of(0, 1, 2, 3, 10, 11, 12, 13), 1, 2, perm)]).toEqual([0, 2, 1, 3, 10, 12, 11, 13]);
  });
});
