import { describe, expect, it } from 'vitest';
import { pca, project } from '../../src/eval/pca.ts';
import { symmetricEigen } from '../../src/eval/symmetricEigen.ts';

/** The point sets of test/eval/fixtures/pca_reference.py. */
function points(n: number, d: number, seed: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, j) => ((i * 7 + j * 13 + seed) ** 2 % 17) / 4 + (j === 0 ? i * 0.5 : 0)));
}

/** scikit-learn 1.2.1 PCA(n_components=2, svd_solver="full"), signs flipped so each component's largest |entry| is positive (pca_reference.py). */
const SKLEARN = {
  small: {
    args: [6, 3, 1],
    components: [
      [-0.535488930841115, -0.32380382283055886, 0.7800017238871693],
      [-0.11210626132767064, 0.9426595113299426, 0.31436480698437885],
    ],
    variance: [4.18007818913934, 2.1633711397172997],
    ratio: [0.5515221360051904, 0.2854365439978845],
    first: [[2.3344223414562784, 1.0753567681153986], [-3.031452071017987, 1.1537709721045304], [1.9639734024378055, -0.7704833340354247]],
  },
  wide: {
    args: [40, 16, 5],
    components: [
      [0.9970563543299124, -0.0015671242256497314, -0.01988817329470665, 0.004705701551264449, 0.018832029654220164, -0.005190917024748387, -0.024868187804706017, 0.0203519056926983,
        -0.008931370295894739, 0.012555902351746157, -0.0037769925946122625, -0.029558596175858386, 0.001613081807215032, 0.02935937926975821, 0.013482309049524837, -0.04327268625751202],
      [-0.026852939705887348, 0.292606517577429, 0.014813192790053505, -0.3957671642870153, 0.13061081026684832, 0.32060685822488955, 0.017571629253836384, -0.3816598227507008,
        -0.1305452301674497, 0.43877303593252226, -0.0487044662507159, -0.3080432188606338, -0.11792405177009933, 0.2057608130611141, 0.22866903994266813, -0.27500660870307037],
    ],
    variance: [34.84765353846925, 5.634476006047594],
    ratio: [0.5325105653396878, 0.08610100533917064],
    first: [[-9.726011340051148, -1.672858915360523], [-9.179614988015267, 4.02685521009132], [-9.776989835350813, -4.1517186261981145]],
  },
} as const;

describe('pca', () => {
  it.each(Object.entries(SKLEARN))('matches scikit-learn: %s', (_, ref) => {
    const x = points(...(ref.args as unknown as [number, number, number]));
    const p = pca(x, 2);
    expect(p.converged).toBe(true);
    p.components.forEach((c, k) => c.forEach((v, j) => expect(v).toBeCloseTo(ref.components[k][j], 9)));
    p.variances.forEach((v, k) => expect(v).toBeCloseTo(ref.variance[k], 9));
    p.ratios.forEach((v, k) => expect(v).toBeCloseTo(ref.ratio[k], 11));
    ref.first.forEach((pt, i) => project(p, x[i]).forEach((v, k) => expect(v).toBeCloseTo(pt[k], 8)));
  });

  it('hand-made: points on a line y = x/2 have one axis with all the variance', () => {
    const p = pca([[0, 0], [2, 1], [4, 2]], 2);
    expect(p.components[0][0]).toBeCloseTo(2 / Math.sqrt(5), 12);
    expect(p.components[0][1]).toBeCloseTo(1 / Math.sqrt(5), 12);
    expect(p.variances[0]).toBeCloseTo(5, 12); // squared distances 5, 0, 5 over n − 1 = 2
    expect(p.ratios[0]).toBeCloseTo(1, 12);
    expect(p.ratios[1]).toBeCloseTo(0, 12);
    expect(Math.abs(p.components[1][0] * p.components[0][0] + p.components[1][1] * p.components[0][1])).toBeLessThan(1e-12); // orthogonal even with zero variance
    expect(project(p, [2, 1])).toEqual([0, 0]);
    expect(project(p, [4, 2])[0]).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('sign convention: flipping every point leaves the axes as they are', () => {
    const x = points(12, 5, 3);
    const a = pca(x, 2);
    const b = pca(x.map((r) => r.map((v) => -v)), 2);
    a.components.forEach((c, k) => c.forEach((v, j) => expect(b.components[k][j]).toBeCloseTo(v, 9)));
  });

  it('identical points: no variance, unit axes, no NaN', () => {
    const p = pca([[1, 2, 3], [1, 2, 3], [1, 2, 3]], 2);
    expect(p.converged).toBe(true);
    expect(p.variances).toEqual([0, 0]);
    expect(p.ratios).toEqual([0, 0]);
    for (const c of p.components) expect(Math.hypot(...c)).toBeCloseTo(1, 12);
    expect(project(p, [1, 2, 3])).toEqual([0, 0]);
  });

  it('rejects fewer than two points and a bad k', () => {
    expect(() => pca([[1, 2]], 2)).toThrow(/at least 2 points/);
    expect(() => pca([[1], [2]], 2)).toThrow(/k must be/);
  });
});

describe('symmetricEigen', () => {
  it('diagonalises a 3×3 matrix: A·v = λ·v, values descending', () => {
    const a = [4, 1, 2, 1, 3, 0, 2, 0, 5];
    const { values, vectors } = symmetricEigen(a, 3);
    expect([...values]).toEqual([...values].sort((x, y) => y - x));
    expect(values.reduce((s, v) => s + v, 0)).toBeCloseTo(12, 12); // trace
    for (let k = 0; k < 3; k++) {
      for (let i = 0; i < 3; i++) {
        const av = a[i * 3] * vectors[k] + a[i * 3 + 1] * vectors[3 + k] + a[i * 3 + 2] * vectors[6 + k];
        expect(av).toBeCloseTo(values[k] * vectors[i * 3 + k], 12);
      }
    }
  });
});
