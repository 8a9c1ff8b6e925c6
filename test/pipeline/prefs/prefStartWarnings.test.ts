import { describe, expect, it } from 'vitest';
import { prefStartWarnings } from '../../../src/pipeline/prefs/prefStartWarnings.ts';

const rows = (d: number, u: number) => ({ kto: [...Array(d).fill({ prompt: [1], completion: [2], desirable: true }), ...Array(u).fill({ prompt: [1], completion: [3], desirable: false })] });

describe('prefStartWarnings', () => {
  it("is quiet for the reference recipe and paired data (λ_D·n_D / (λ_U·n_U) = 1)", () => {
    expect(prefStartWarnings({ config: { lr: 5e-6, ktoLambdaD: 1, ktoLambdaU: 1 }, task: 'kto', data: rows(8, 8) })).toEqual([]);
  });

  it('names a pretraining learning rate and the KTO weights rule outside [1, 4/3] (hand-computed 1·4 / (1·8) = 0.5)', () => {
    const w = prefStartWarnings({ config: { lr: 3e-3, ktoLambdaD: 1, ktoLambdaU: 1 }, task: 'kto', data: rows(4, 8) });
    expect(w[0]).toContain('lr 0.003 is a pretraining rate');
    expect(w[0]).toContain('configs/kto.yaml');
    expect(w[1]).toBe('kto: λ_D·n_D / (λ_U·n_U) = 1·4 / (1·8) = 0.500, outside [1, 4/3] (the KTO paper\'s rule): set kto_lambda_d / kto_lambda_u so the ratio falls inside');
    expect(prefStartWarnings({ config: { lr: 5e-6, ktoLambdaD: 2, ktoLambdaU: 1 }, task: 'kto', data: rows(4, 8) })).toEqual([]); // 2·4 / 8 = 1
    expect(prefStartWarnings({ config: { lr: 5e-6, ktoLambdaD: 1, ktoLambdaU: 1 }, task: 'kto', data: rows(3, 0) })).toEqual(['kto: the training rows are all desirable; KTO needs both kinds']);
  });
});
