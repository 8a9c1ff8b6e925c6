import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { behaviourMetrics } from '../../src/eval/behaviour.ts';
import { parseGenJsonl } from '../../src/eval/genRecords.ts';
import { parseScoresCsv, watermarkMetrics } from '../../src/eval/watermarkMetrics.ts';
import { captureIO } from './checkpointFixture.ts';

/** A tiny char model trained 40 steps on 300 poems of the shipped corpus (≈ 6 s on wasm). */
const run = mkdtempSync(join(tmpdir(), 'vf-evalwm-'));
const TRAIN = ['train', '--config', 'tiny', '--max-steps', '40', '--out', run, '--max-docs', '300', '--context', '64', '--batch-size', '8', '--layers', '2', '--hidden', '64', '--eval-every', '0', '--eval-batches', '1', '--log-every', '20', '--sample-tokens', '10', '--backend', 'wasm', '--no-ws'];

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

beforeAll(async () => {
  const r = await cli(...TRAIN);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
});

describe('versiflow eval watermark --checkpoint (a tiny model trained on the shipped corpus)', () => {
  it('watermarked generations of 200 tokens vs held-out texts: AUC > 0.9, files in the run eval/', async () => {
    const r = await cli('eval', 'watermark', '--checkpoint', run, '--n', '12', '--max-new-tokens', '200', '--backend', 'wasm', '--json');
    expect(r.code).toBe(0);
    const m = JSON.parse(r.out);
    expect(m.roc_auc).toBeGreaterThan(0.9);
    expect(m.mean_z_generated).toBeGreaterThan(4);
    expect(m.mean_z_real).toBeLessThan(2);
    expect(m).toMatchObject({ scheme: 'poetru', gamma: 0.25, delta: 2, threshold: 4, max_new_tokens: 200, prompt_tokens: 2, mean_tokens_generated: 200, step: 40 });
    expect(m.counts.generated).toBe(m.counts.real);
    const csv = readFileSync(join(run, 'eval', 'watermark_scores.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe('label,z_score');
    const rows = parseScoresCsv(csv);
    expect(rows).toHaveLength(m.counts.total);
    // the metrics file is what the scores give
    const saved = JSON.parse(readFileSync(join(run, 'eval', 'watermark_metrics.json'), 'utf8'));
    expect(saved).toMatchObject(JSON.parse(JSON.stringify(watermarkMetrics(rows, 4))));
    // and eval watermark --scores reads the file back to the same figures
    const back = await cli('eval', 'watermark', '--scores', join(run, 'eval', 'watermark_scores.csv'), '--json');
    expect(JSON.parse(back.out)).toEqual(JSON.parse(JSON.stringify(watermarkMetrics(rows, 4))));
  });

  it('--out and another scheme; keyed needs its key', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-evalwm-out-'));
    const r = await cli('eval', 'watermark', '--checkpoint', run, '--n', '4', '--max-new-tokens', '40', '--scheme', 'keyed', '--key', 's', '--out', out, '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^watermark keyed \(γ 0.25, δ 2\), 4 generations of 40 tokens vs 4 held-out texts, step 40\n  AUC [\d.]+ \| F1/);
    expect(existsSync(join(out, 'watermark_metrics.json'))).toBe(true);
    const bad = await cli('eval', 'watermark', '--checkpoint', run, '--scheme', 'keyed', '--backend', 'wasm');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/needs --key K/);
  });
});

describe('generate --prompts-from val and eval behaviour on the trained model', () => {
  it('writes gen.jsonl records {id, prompt, text, token_ids, finish}; prompts are the first tokens of held-out texts; batching changes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-gen-'));
    const a = join(dir, 'a.jsonl');
    const b = join(dir, 'b.jsonl');
    const flags = ['--checkpoint', run, '--n', '6', '--prompts-from', 'val', '--prompt-tokens', '3', '--max-new-tokens', '60', '--seed', '3', '--backend', 'wasm'];
    const r = await cli('generate', ...flags, '--out', a, '--batch-size', '4');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/^\[6 generations, \d+ tokens in [\d.]+ s, [\d.]+ tok\/s, batch 4; \d+ ended on EOS or a stop string\] → /);
    await cli('generate', ...flags, '--out', b, '--batch-size', '1');
    const recs = parseGenJsonl(readFileSync(a, 'utf8'));
    expect(recs.map((x) => x.id)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Object.keys(JSON.parse(readFileSync(a, 'utf8').split('\n')[0]))).toEqual(['id', 'prompt', 'text', 'token_ids', 'finish']);
    for (const rec of recs) {
      expect([...rec.prompt]).toHaveLength(3); // char model: 3 tokens = 3 characters
      expect(rec.token_ids.length).toBeLessThanOrEqual(60);
      expect(rec.finish === 'length' ? rec.token_ids.length : 60).toBe(60);
    }
    expect(readFileSync(b, 'utf8')).toBe(readFileSync(a, 'utf8'));

    const beh = await cli('eval', 'behaviour', '--texts', a, '--json');
    expect(beh.code).toBe(0);
    expect(JSON.parse(beh.out)).toEqual(JSON.parse(JSON.stringify(behaviourMetrics(recs))));
    expect(Object.keys(JSON.parse(beh.out))).toEqual(['texts', 'distinct_2', 'repeated_4gram_rate', 'loop_rate', 'completion_rate']);
  });

  it('eval behaviour --checkpoint generates first (--prompts FILE), --out keeps gen.jsonl', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-beh-'));
    writeFileSync(join(dir, 'prompts.txt'), 'Я помню\n{"prompt": "Мороз и солнце"}\n\n');
    const r = await cli('eval', 'behaviour', '--checkpoint', run, '--prompts', join(dir, 'prompts.txt'), '--n', '4', '--max-new-tokens', '50', '--out', join(dir, 'gen.jsonl'), '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^behaviour of 4 texts \(4 generations of up to 50 tokens from .*\)\n  distinct_2 [\d.]+ \| repeated_4gram_rate [\d.]+% \| loop_rate [\d.]+% \| completion_rate [\d.]+%\n$/);
    const recs = parseGenJsonl(readFileSync(join(dir, 'gen.jsonl'), 'utf8'));
    expect(recs.map((x) => x.prompt)).toEqual(['Я помню', 'Мороз и солнце', 'Я помню', 'Мороз и солнце']);
  });
});
