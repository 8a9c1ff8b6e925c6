import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../../src/model/backend/setupBackend.ts';
import { disposeWeights, initWeights } from '../../../../src/model/nn/gpt.ts';
import { dpoLosses } from '../../../../src/model/nn/preference/dpoLoss.ts';
import { ktoLosses } from '../../../../src/model/nn/preference/ktoLoss.ts';
import { sequenceBatch } from '../../../../src/model/nn/preference/prefBatch.ts';
import { batchKl, clampReferencePoint, emaReferencePoint, rotateByOne } from '../../../../src/model/nn/preference/referencePoint.ts';
import { sequenceLogps, tokenLogProbs } from '../../../../src/model/nn/preference/sequenceLogps.ts';
import { forwardRef, randomizeWeights, toRef } from '../ref64.ts';
import { tiny } from '../tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

// --- float64 references of the formulas, written here independently of src ---
const sig = (x: number) => 1 / (1 + Math.exp(-x));
const logSig = (x: number) => (x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x)));
function ktoRef(pol: number[], ref: number[], des: number[], z: number, beta: number, lD: number, lU: number, len: number[] | null): number {
  let s = 0;
  for (let i = 0; i < pol.length; i++) {
    const r = (pol[i] - ref[i]) / (len ? len[i] : 1);
    s += des[i] ? lD * (1 - sig(beta * (r - z))) : lU * (1 - sig(beta * (z - r)));
  }
  return s / pol.length;
}
function dpoRef(pc: number[], rc: number[], pr: number[], rr: number[], beta: number, eps: number): number {
  let s = 0;
  for (let i = 0; i < pc.length; i++) {
    const d = pc[i] - rc[i] - (pr[i] - rr[i]);
    s += -(1 - eps) * logSig(beta * d) - eps * logSig(-beta * d);
  }
  return s / pc.length;
}
/** Central difference of f at x in float64, coordinate i. */
function numGrad(f: (x: number[]) => number, x: number[], h = 1e-5): number[] {
  return x.map((_, i) => {
    const up = [...x];
    const dn = [...x];
    up[i] += h;
    dn[i] -= h;
    return (f(up) - f(dn)) / (2 * h);
  });
}
const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number) => {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i]), `index ${i}: ${a[i]} vs ${b[i]}`).toBeLessThan(tol);
};

describe('ktoLosses', () => {
  it('is 1 − σ(0) = 0.5 per row when policy = reference and z = 0 (hand-computed)', () => {
    const l = tf.tidy(() => ktoLosses(tf.tensor1d([-3, -7]), tf.tensor1d([-3, -7]), tf.tensor1d([1, 0]), 0, { beta: 0.1, lambdaD: 1, lambdaU: 1 }).losses.arraySync());
    expect(l).toEqual([0.5, 0.5]);
  });

  it('hand-computed row: r = (−2 − (−6))/4 = 1, z = 0.5, β = 2 → λ_D(1 − σ(1)) and λ_U(1 − σ(−1))', () => {
    const l = tf.tidy(() =>
      ktoLosses(tf.tensor1d([-2, -2]), tf.tensor1d([-6, -6]), tf.tensor1d([1, 0]), 0.5, { beta: 2, lambdaD: 1.5, lambdaU: 0.5 }, tf.tensor1d([4, 4])).losses.arraySync(),
    );
    close(l, [1.5 * (1 - 1 / (1 + Math.exp(-1))), 0.5 * (1 - 1 / (1 + Math.exp(1)))], 1e-6);
  });

  for (const lengthNorm of [true, false]) {
    it(`matches the float64 formula in value and gradient (${lengthNorm ? 'length-normalised' : 'summed'} log-ratios)`, () => {
      const pol = [-3.1, -5.4, -2.2, -9.0, -4.4];
      const ref = [-3.5, -4.0, -2.9, -7.5, -4.4];
      const des = [1, 0, 1, 0, 1];
      const len = [2, 3, 1, 6, 4];
      const o = { beta: 0.7, lambdaD: 1.0, lambdaU: 1.33 };
      const z = 0.2;
      const { value, grads } = tf.tidy(() => {
        const g = tf.valueAndGrads((p: tf.Tensor) => ktoLosses(p as tf.Tensor1D, tf.tensor1d(ref), tf.tensor1d(des), z, o, lengthNorm ? tf.tensor1d(len) : null).losses.mean() as tf.Scalar);
        const r = g([tf.tensor1d(pol)]);
        return { value: r.value.dataSync()[0], grads: r.grads[0].dataSync() };
      });
      const f = (p: number[]) => ktoRef(p, ref, des, z, o.beta, o.lambdaD, o.lambdaU, lengthNorm ? len : null);
      expect(value).toBeCloseTo(f(pol), 6);
      close(grads, numGrad(f, pol), 1e-6);
      // the reference log-probs get no gradient through a detached z: ∂L/∂ref = −∂L/∂policy here
    });
  }
});

describe('dpoLosses', () => {
  it('is ln 2 when the margin is 0 (hand-computed)', () => {
    const l = tf.tidy(() => dpoLosses(tf.tensor1d([-4]), tf.tensor1d([-4]), tf.tensor1d([-6]), tf.tensor1d([-6]), 0.1).losses.dataSync()[0]);
    expect(l).toBeCloseTo(Math.log(2), 6);
  });

  for (const eps of [0, 0.1]) {
    it(`matches the float64 formula in value and gradient (label smoothing ${eps})`, () => {
      const pc = [-3.0, -8.2, -1.1];
      const rc = [-3.4, -7.0, -1.0];
      const pr = [-6.5, -5.0, -2.8];
      const rr = [-6.0, -5.5, -2.0];
      const beta = 0.5;
      const { value, gc, gr } = tf.tidy(() => {
        const g = tf.valueAndGrads((a: tf.Tensor, b: tf.Tensor) => dpoLosses(a as tf.Tensor1D, tf.tensor1d(rc), b as tf.Tensor1D, tf.tensor1d(rr), beta, eps).losses.mean() as tf.Scalar);
        const r = g([tf.tensor1d(pc), tf.tensor1d(pr)]);
        return { value: r.value.dataSync()[0], gc: r.grads[0].dataSync(), gr: r.grads[1].dataSync() };
      });
      expect(value).toBeCloseTo(dpoRef(pc, rc, pr, rr, beta, eps), 6);
      close(gc, numGrad((x) => dpoRef(x, rc, pr, rr, beta, eps), pc), 1e-6);
      close(gr, numGrad((x) => dpoRef(pc, rc, x, rr, beta, eps), pr), 1e-6);
    });
  }
});

describe('reference point', () => {
  it('EMA: 0.99 · z + 0.01 · mean, clamped at 0 for the loss (hand-computed)', () => {
    expect(emaReferencePoint(1, -9)).toBeCloseTo(0.99 - 0.09, 12);
    expect(clampReferencePoint(-37)).toBe(0);
    expect(clampReferencePoint(0.25)).toBe(0.25);
  });
  it("TRL's batch KL: mean log-ratio of the mismatched pairs, clamped at 0, per token with lengths", () => {
    expect(batchKl([-2, -4], [-3, -4])).toBeCloseTo(0.5, 12);
    expect(batchKl([-2, -4], [-3, -1])).toBe(0); // mean −1 → 0
    expect(batchKl([-2, -4], [-3, -6], [2, 4])).toBeCloseTo((0.5 + 0.5) / 2, 12);
  });
  it('rotates completions by one: (x1, yn), (x2, y1), ...', () => {
    expect(rotateByOne(['a', 'b', 'c'])).toEqual(['c', 'a', 'b']);
  });
});

describe('sequenceLogps', () => {
  const c = tiny({ context: 8 });
  const w = initWeights(c, 3);
  randomizeWeights(w, 11, 0.3);
  afterAll(() => disposeWeights(w));

  it('sums log p of the completion tokens only, padded rows included (float64 forward as reference)', () => {
    const rows = [
      { prompt: [1, 2, 3], completion: [4, 5] },
      { prompt: [7], completion: [8, 9, 10, 2] },
      { prompt: [5, 5, 5, 5, 5, 5], completion: [6] },
    ];
    const batch = sequenceBatch(rows, c.context);
    expect(batch.T).toBe(6);
    expect(batch.tokens).toBe(7);
    const got = tf.tidy(() => sequenceLogps(w, c, batch).dataSync());
    const r = toRef(w);
    const want = rows.map(({ prompt, completion }) => {
      const ids = [...prompt, ...completion];
      const logits = forwardRef(ids.slice(0, -1), r, c);
      let s = 0;
      for (let t = prompt.length - 1; t < ids.length - 1; t++) {
        const z = logits[t];
        const m = Math.max(...z);
        s += z[ids[t + 1]] - m - Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
      }
      return s;
    });
    close(got, want, 2e-4);
  });

  it("tokenLogProbs' hand-written gradient is onehot − softmax (float64 central differences)", () => {
    const z = [
      [0.3, -1.2, 2.0, 0.1],
      [1.5, 0.4, -0.3, -2.2],
    ];
    const t = [2, 0];
    const wts = [0.7, -1.3]; // dy
    const f = (flat: number[]) => {
      let s = 0;
      for (let n = 0; n < 2; n++) {
        const row = flat.slice(n * 4, n * 4 + 4);
        const m = Math.max(...row);
        s += wts[n] * (row[t[n]] - m - Math.log(row.reduce((a, v) => a + Math.exp(v - m), 0)));
      }
      return s;
    };
    const g = tf.tidy(() => tf.grad((x: tf.Tensor) => tokenLogProbs(x as tf.Tensor2D, tf.tensor1d(t, 'int32')).mul(tf.tensor1d(wts)).sum())(tf.tensor2d(z)).dataSync());
    close(g, numGrad(f, z.flat()), 1e-5);
  });

  it('a row longer than the context keeps the end of its prompt and at least one prompt token', () => {
    const b = sequenceBatch([{ prompt: [1, 2, 3, 4, 5], completion: [6, 7, 8] }], 5);
    expect(Array.from(b.x)).toEqual([3, 4, 5, 6, 7]);
    expect(Array.from(b.y)).toEqual([4, 5, 6, 7, 8]);
    expect(Array.from(b.mask)).toEqual([0, 0, 1, 1, 1]);
    const long = sequenceBatch([{ prompt: [1, 2], completion: [3, 4, 5, 6, 7, 8] }], 3);
    expect(Array.from(long.x)).toEqual([2, 3, 4]);
    expect(Array.from(long.mask)).toEqual([1, 1, 1]);
  });
});
