import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { scoreProbe } from '../../src/eval/probes.ts';
import { loadModel } from '../../src/pipeline/withModel.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let checkpoint = '';
const dir = mkdtempSync(join(tmpdir(), 'vf-probes-'));
const probes = join(dir, 'probes.jsonl');
const PROBES = [
  { prompt: 'the moon ', expected: 'is bright' },
  { prompt: '', expected: 'a' },
  { prompt: 'one, two, ', expected: 'three' },
];

beforeAll(async () => {
  await setupBackend('cpu');
  checkpoint = await writeTestCheckpoint();
  writeFileSync(probes, PROBES.map((p) => JSON.stringify(p)).join('\n') + '\n');
});

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

describe('versiflow eval probes', () => {
  it('rank, probability and perplexity per probe (as scoreProbe computes them from the model), a greedy generation, a summary', async () => {
    const r = await cli('eval', 'probes', '--checkpoint', checkpoint, '--probes', probes, '--max-new-tokens', '12', '--out', dir, '--backend', 'cpu', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.out);
    const recs = readFileSync(join(dir, 'probe_generations.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs).toHaveLength(3);
    expect(Object.keys(recs[0])).toEqual(['prompt', 'expected', 'generated', 'finish', 'rank', 'prob', 'perplexity', 'expected_tokens']);
    const m = await loadModel(checkpoint);
    const model = { weights: m.weights, config: m.gpt, tokenizer: m.tokenizer };
    for (let i = 0; i < PROBES.length; i++) {
      const want = await scoreProbe(model, PROBES[i]);
      expect(recs[i]).toMatchObject({ prompt: PROBES[i].prompt, expected: PROBES[i].expected, rank: want.rank, expected_tokens: want.expectedTokens });
      expect(recs[i].prob).toBeCloseTo(want.prob, 10);
      expect(recs[i].perplexity).toBeCloseTo(want.perplexity, 8);
      expect(recs[i].generated.length).toBeLessThanOrEqual(12);
    }
    disposeWeights(m.weights);
    expect(summary).toMatchObject({ probes: 3, step: 0, file: join(dir, 'probe_generations.jsonl') });
    expect(summary.mean_rank).toBeCloseTo(recs.reduce((s, x) => s + x.rank, 0) / 3, 12);
    expect(summary.top1).toBe(recs.filter((x) => x.rank === 1).length / 3);
  });

  it('prints a readable summary and one line per probe; names a bad probes file', async () => {
    const r = await cli('eval', 'probes', '--checkpoint', checkpoint, '--probes', probes, '--out', dir, '--backend', 'cpu');
    expect(r.out).toMatch(/^probes: 3 at step 0 \| top-1 [\d.]+% \| top-5 [\d.]+% \| mean rank [\d.]+ \(median \d+\) \| mean p [\d.]+ \| perplexity [\d.]+\n/);
    expect(r.out.trim().split('\n')).toHaveLength(5);
    writeFileSync(join(dir, 'bad.jsonl'), '{"prompt": "x"}\n');
    const bad = await cli('eval', 'probes', '--checkpoint', checkpoint, '--probes', join(dir, 'bad.jsonl'), '--backend', 'cpu');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/bad\.jsonl:1: a probe needs a "prompt" string and a non-empty "expected" string/);
  });
});

describe('versiflow eval (subcommands)', () => {
  it('names the subcommands when given another; perplexity still works through it', async () => {
    const r = await cli('eval', 'bleu');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/expected one of perplexity, watermark, behaviour, probes, authors, poetry, checkpoints, sweep as the first argument; got "bleu"/);
    const p = await cli('eval', 'perplexity', '--checkpoint', checkpoint, '--max-docs', '50', '--backend', 'cpu', '--json');
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out).split).toBe('validation');
  });

  it('eval watermark --scores: hand-computed metrics of a label,z_score file; readable and --json', async () => {
    const f = join(dir, 'scores.csv');
    writeFileSync(f, 'label,z_score\n1,5\n1,3\n0,3\n0,1\n');
    const j = await cli('eval', 'watermark', '--scores', f, '--json');
    expect(JSON.parse(j.out)).toEqual({
      accuracy: 0.75, precision: 1, recall: 0.5, f1: 2 / 3, roc_auc: 0.875, threshold: 4,
      confusion: { tp: 1, fp: 0, tn: 2, fn: 1 }, counts: { generated: 2, real: 2, total: 4 }, mean_z_generated: 4, mean_z_real: 2,
    });
    const t = await cli('eval', 'watermark', '--scores', f, '--threshold', '3');
    expect(t.out).toBe(
      `watermark ${f}\n  AUC 0.875 | F1 0.800 | accuracy 0.750 | precision 0.667 | recall 1.000 (positive = z ≥ 3)\n` +
        '  generated: 2 texts, mean z 4.00 | real: 2 texts, mean z 2.00 | tp 2 fp 1 tn 1 fn 0\n',
    );
    const none = await cli('eval', 'watermark');
    expect(none.err).toMatch(/give one of --scores FILE\.csv or --checkpoint PATH/);
    const extra = await cli('eval', 'watermark', '--scores', f, '--n', '3');
    expect(extra.err).toMatch(/unknown flag --n/);
  });
});
