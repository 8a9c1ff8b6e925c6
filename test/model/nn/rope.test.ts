import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { applyRope, ropeTables } from '../../../src/model/nn/rope.ts';
import { Rng } from '../../../src/model/nn/rng.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const gauss = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next() * 2 - 1);

/** Rotates x [T][d] with applyRope: one batch, one head. */
function rope(x: number[][], style: 'half' | 'interleaved', theta: number, offset = 0): number[][] {
  const T = x.length;
  const d = x[0].length;
  const { cos, sin } = ropeTables(T, d, theta, offset);
  return tf.tidy(() => (applyRope(tf.tensor4d([[x]]), cos, sin, style).arraySync() as number[][][][])[0][0]);
}

describe('RoPE closed form', () => {
  const d = 8;
  const theta = 10000;
  const rng = new Rng(4);
  const x = Array.from({ length: 5 }, () => gauss(rng, d));
  for (const style of ['half', 'interleaved'] as const) {
    it(`${style}: pair i turns by pos·θ^(−2i/d)`, () => {
      const got = rope(x, style, theta);
      for (let t = 0; t < 5; t++) {
        for (let i = 0; i < d / 2; i++) {
          const [a, b] = style === 'half' ? [i, i + d / 2] : [2 * i, 2 * i + 1];
          const ang = t * theta ** ((-2 * i) / d);
          expect(got[t][a]).toBeCloseTo(x[t][a] * Math.cos(ang) - x[t][b] * Math.sin(ang), 5);
          expect(got[t][b]).toBeCloseTo(x[t][b] * Math.cos(ang) + x[t][a] * Math.sin(ang), 5);
        }
      }
    });
  }

  it('half: position 1 of a one-hot on dim 0 lands on (cos 1, sin 1) of dims 0 and d/2', () => {
    const e0 = [[1, 0, 0, 0, 0, 0, 0, 0], [1, 0, 0, 0, 0, 0, 0, 0]];
    const got = rope(e0, 'half', theta);
    expect(got[0]).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(got[1][0]).toBeCloseTo(Math.cos(1), 6);
    expect(got[1][4]).toBeCloseTo(Math.sin(1), 6);
  });

  for (const style of ['half', 'interleaved'] as const) {
    it(`${style}: q·k after RoPE depends only on the position difference`, () => {
      const q = gauss(rng, d);
      const k = gauss(rng, d);
      const T = 12;
      const qs = rope(Array(T).fill(q), style, theta);
      const ks = rope(Array(T).fill(k), style, theta);
      const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
      for (const delta of [0, 1, 3, 7]) {
        const ref = dot(qs[delta], ks[0]);
        for (let m = 1; m + delta < T; m++) expect(dot(qs[m + delta], ks[m])).toBeCloseTo(ref, 4);
      }
      expect(Math.abs(dot(qs[3], ks[0]) - dot(qs[0], ks[0]))).toBeGreaterThan(1e-3); // and it does depend on it
    });
  }

  it('the offset tables equal the rows of a longer table (KV-cache positions)', () => {
    const full = rope(x, 'half', theta);
    const tail = rope(x.slice(2), 'half', theta, 2);
    tail.forEach((row, t) => row.forEach((v, i) => expect(v).toBeCloseTo(full[t + 2][i], 6)));
  });
});
