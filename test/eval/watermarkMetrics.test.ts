import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatScoresCsv, parseScoresCsv, rocAuc, type ScoredText, watermarkMetrics } from '../../src/eval/watermarkMetrics.ts';

/** scikit-learn 1.2.1 on fixed vectors with ties (test/eval/fixtures/sklearn_vectors.py writes this file). */
const REF = JSON.parse(readFileSync(new URL('./fixtures/sklearn-vectors.json', import.meta.url), 'utf8')) as {
  classification: { name: string; labels: number[]; z: number[]; threshold: number; roc_auc: number; accuracy: number; precision: number; recall: number; f1: number }[];
};

const rows = (labels: number[], z: number[]): ScoredText[] => labels.map((l, i) => ({ label: l as 0 | 1, z: z[i] }));

describe('watermarkMetrics', () => {
  it('hand-computed: labels 1,1,0,0 with z 5,3,3,1 at threshold 4', () => {
    // positive = z ≥ 4: only the 5 (generated) → tp 1, fn 1 (the generated 3), tn 2, fp 0
    // AUC over the 4 generated×real pairs: (5,3) 1, (5,1) 1, (3,3) ½, (3,1) 1 → 3.5/4
    expect(watermarkMetrics(rows([1, 1, 0, 0], [5, 3, 3, 1]), 4)).toEqual({
      accuracy: 0.75,
      precision: 1,
      recall: 0.5,
      f1: 2 / 3,
      roc_auc: 0.875,
      threshold: 4,
      confusion: { tp: 1, fp: 0, tn: 2, fn: 1 },
      counts: { generated: 2, real: 2, total: 4 },
      mean_z_generated: 4,
      mean_z_real: 2,
    });
  });

  it.each(REF.classification.map((c) => [c.name, c]))('matches scikit-learn: %s', (_, c) => {
    const m = watermarkMetrics(rows(c.labels, c.z), c.threshold);
    expect(m.roc_auc).toBeCloseTo(c.roc_auc, 14);
    expect(m.accuracy).toBeCloseTo(c.accuracy, 14);
    expect(m.precision).toBeCloseTo(c.precision, 14);
    expect(m.recall).toBeCloseTo(c.recall, 14);
    expect(m.f1).toBeCloseTo(c.f1, 14);
  });

  it('ties count one half: all scores equal → 0.5; one class only → null; z = threshold is positive', () => {
    expect(rocAuc([1, 0, 1, 0], [2, 2, 2, 2])).toBe(0.5);
    expect(rocAuc([1, 1], [1, 2])).toBeNull();
    expect(rocAuc([1, 0], [Infinity, -Infinity])).toBe(1);
    const m = watermarkMetrics(rows([1, 1], [4, 4]), 4);
    expect(m).toMatchObject({ roc_auc: null, recall: 1, mean_z_real: null, counts: { generated: 2, real: 0, total: 2 } });
    expect(watermarkMetrics([], 4)).toMatchObject({ accuracy: 0, f1: 0, roc_auc: null, mean_z_generated: null });
  });
});

describe('label,z_score files', () => {
  it('round-trips through the CSV and reads any column order, extra columns, CRLF, inf', () => {
    const r = rows([1, 0, 1], [4.5, -0.25, 12]);
    expect(formatScoresCsv(r)).toBe('label,z_score\n1,4.5\n0,-0.25\n1,12\n');
    expect(parseScoresCsv(formatScoresCsv(r))).toEqual(r);
    expect(parseScoresCsv('id,z_score,label\r\n7,2.5,1.0\r\n8,-inf,0\r\n\r\n9,inf,true\r\n')).toEqual([
      { label: 1, z: 2.5 },
      { label: 0, z: -Infinity },
      { label: 1, z: Infinity },
    ]);
  });

  it('names the line of a bad row and a missing column', () => {
    expect(() => parseScoresCsv('label,z\n1,2\n', 'f.csv')).toThrow(/f\.csv: the header must name the columns "label" and "z_score"/);
    expect(() => parseScoresCsv('label,z_score\n1,2\n2,3\n', 'f.csv')).toThrow(/f\.csv:3: label must be 0 or 1, got "2"/);
    expect(() => parseScoresCsv('label,z_score\n1,nan\n', 'f.csv')).toThrow(/f\.csv:2: z_score must be a number/);
    expect(() => parseScoresCsv('', 'f.csv')).toThrow(/empty/);
  });
});
