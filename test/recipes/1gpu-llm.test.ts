import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tokenizerFromJSON } from '../../src/model/tokenizer/loadTokenizer.ts';
import { importModel } from '../../src/pipeline/import/importModel.ts';
import { smokeRun } from './recipeFixture.ts';

const rows = (file: string): Record<string, string>[] => {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
};

describe('recipe 1gpu-llm (smoke)', () => {
  it('mixture → WSD stable run → decay tail from step 12 → selection → decoding sweep → export', async () => {
    const r = await smokeRun('1gpu-llm');
    expect(r.outcomes.map((o) => o.stage)).toEqual(['tokenizer', 'mixture', 'stable', 'decay-tail', 'selection', 'decoding-sweep', 'export']);
    // the tail decays linearly from the stable lr (3e-3) to min_lr (0.1 · 3e-3) over 8 steps: step 12 + k has 3e-3 − 2.7e-3 · (k − 1) / 8
    const steps = rows(join(r.out, 'tail/history.csv')).filter((x) => x.lr !== '');
    for (const s of steps) {
      const k = Number(s.step) - 12;
      expect(Number(s.lr)).toBeCloseTo(3e-3 - (2.7e-3 * (k - 1)) / 8, 7);
    }
    expect(steps.at(-1)!.step).toBe('20');
    // both mixture sources are validated separately
    const evals = rows(join(r.out, 'tail/history.csv')).filter((x) => x.val_loss !== '');
    expect(evals.length).toBeGreaterThan(0);
    for (const e of evals) for (const src of ['val_loss_en', 'val_loss_fr']) expect(Number(e[src])).toBeLessThan(Math.log(512));
    // selection picked the tail checkpoint with the lowest validation loss among the 4 (steps 14, 16, 18, 20)
    const scored = (r.json('tail/comparison.json') as { checkpoints: { step: number; val_loss: number }[] }).checkpoints;
    expect(scored.map((s) => s.step)).toEqual([14, 16, 18, 20]);
    const best = r.json('tail/best_validation.json') as { step: number; val_loss: number; compared: number };
    expect(best.compared).toBe(4);
    expect(best.val_loss).toBe(Math.min(...scored.map((s) => s.val_loss)));
    expect([14, 16, 18, 20]).toContain(best.step);
    const decoding = r.json('tail/recommended_decoding.json') as { temperature: number };
    expect([0.7, 1]).toContain(decoding.temperature);
    const back = await importModel({ from: join(r.out, 'export/hf'), out: join(r.out, 'reimported') });
    expect(back.kind).toBe('hf-gpt2');
    // the source's BOS before each document (bos_token: true): the tokenizer trained with [BOS] after the
    // 3 specials, recorded in its tokenizer.json, carried to the checkpoints and the export
    const tok = tokenizerFromJSON(r.json('tokenizer/tokenizer.json') as Record<string, unknown>);
    expect([tok.addBos, tok.bosId]).toEqual([true, 3]);
    expect(r.json('export/hf/tokenizer_config.json')).toMatchObject({ add_bos_token: true, bos_token: '[BOS]' });
    expect(r.json('export/hf/config.json')).toMatchObject({ bos_token_id: 3 });
  }, 120_000);
});
