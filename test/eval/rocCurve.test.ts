import { describe, expect, it } from 'vitest';
import { rocArea, rocCurve } from '../../src/eval/rocCurve.ts';
import { rocAuc, type ScoredText } from '../../src/eval/watermarkMetrics.ts';

const rows = (labels: number[], z: number[]): ScoredText[] => labels.map((l, i) => ({ label: l as 0 | 1, z: z[i] }));

describe('rocCurve', () => {
  it('gives one point per distinct score, ties moving both rates (hand-computed; = scikit-learn roc_curve(drop_intermediate=False))', () => {
    // sorted by z: 5(1) 4(1) 3(1) 3(0) 2.5(1) 2.5(0) 1(0) −1(0); P = N = 4
    const pts = rocCurve(rows([1, 1, 0, 1, 0, 0, 1, 0], [5, 3, 3, 2.5, 1, -1, 4, 2.5]));
    expect(pts).toEqual([
      { threshold: null, fpr: 0, tpr: 0 },
      { threshold: 5, fpr: 0, tpr: 0.25 },
      { threshold: 4, fpr: 0, tpr: 0.5 },
      { threshold: 3, fpr: 0.25, tpr: 0.75 },
      { threshold: 2.5, fpr: 0.5, tpr: 1 },
      { threshold: 1, fpr: 0.75, tpr: 1 },
      { threshold: -1, fpr: 1, tpr: 1 },
    ]);
    // trapezoids: .25·(.5+.75)/2 + .25·(.75+1)/2 + .25·1 + .25·1 = 0.875 = roc_auc_score
    expect(rocArea(pts)).toBeCloseTo(0.875, 15);
    expect(rocAuc([1, 1, 0, 1, 0, 0, 1, 0], [5, 3, 3, 2.5, 1, -1, 4, 2.5])).toBeCloseTo(0.875, 15);
  });

  it('has the area rocAuc gives on random scores with many ties, and handles infinite z', () => {
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const labels = Array.from({ length: 200 }, () => (rand() < 0.4 ? 1 : 0));
    const z = labels.map((l) => Math.round((rand() * 4 + l * 1.5) * 2) / 2); // half-integers: many ties
    z[3] = Infinity;
    z[4] = -Infinity;
    const pts = rocCurve(rows(labels, z));
    expect(pts.at(-1)).toMatchObject({ fpr: 1, tpr: 1 });
    expect(rocArea(pts)).toBeCloseTo(rocAuc(labels, z)!, 12);
  });

  it('is empty when a class is missing', () => {
    expect(rocCurve(rows([1, 1], [2, 3]))).toEqual([]);
    expect(rocCurve([])).toEqual([]);
  });
});
