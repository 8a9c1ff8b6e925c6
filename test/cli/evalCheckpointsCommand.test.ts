import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { bestCheckpoint, type CheckpointScore } from '../../src/eval/checkpointComparison.ts';
import { openCheckpoint } from '../../src/streams/checkpoints/checkpointStore.ts';
import { captureIO } from './checkpointFixture.ts';

/** A tiny char model, 30 steps on 300 shipped poems, a checkpoint every 10 steps (all kept). */
const run = mkdtempSync(join(tmpdir(), 'vf-evalck-'));
const TRAIN = ['train', '--config', 'tiny', '--max-steps', '30', '--out', run, '--max-docs', '300', '--context', '32', '--batch-size', '8', '--layers', '1', '--hidden', '32',
  '--eval-every', '0', '--eval-batches', '1', '--log-every', '10', '--sample-tokens', '0', '--checkpoint-every', '10', '--keep-checkpoints', '0', '--lr', '0.01', '--backend', 'wasm', '--no-ws'];

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

beforeAll(async () => {
  const r = await cli(...TRAIN);
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
}, 60_000);

describe('versiflow eval checkpoints', () => {
  it('scores every checkpoint on the validation split as eval perplexity does, writes comparison.json and best_validation.json; RUN/best opens the pick', async () => {
    // before any comparison, RUN/best says what to do
    const none = await cli('eval', 'perplexity', '--checkpoint', join(run, 'best'), '--backend', 'wasm');
    expect(none.code).not.toBe(0);
    expect(none.err).toMatch(/best_validation.json does not exist; run `versiflow eval checkpoints .*` first/);

    const r = await cli('eval', 'checkpoints', run, '--backend', 'wasm', '--json');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as { best: CheckpointScore; checkpoints: CheckpointScore[] };
    expect(out.checkpoints.map((x) => [x.step, x.path])).toEqual([[10, 'checkpoints/step-0000010'], [20, 'checkpoints/step-0000020'], [30, 'checkpoints/step-0000030']]);
    // a row is the checkpoint's `eval perplexity` (same split, batching and loss)
    for (const row of out.checkpoints.slice(0, 1)) {
      const p = JSON.parse((await cli('eval', 'perplexity', '--checkpoint', join(run, row.path), '--backend', 'wasm', '--json')).out);
      expect(row.val_loss).toBeCloseTo(p.loss, 10);
      expect(row.tokens).toBe(p.tokens);
      expect(row.perplexity).toBeCloseTo(Math.exp(row.val_loss), 10);
    }
    // training lowers the loss: 10 → 30 steps
    expect(out.checkpoints[2].val_loss).toBeLessThan(out.checkpoints[0].val_loss);
    const min = out.checkpoints.reduce((a, b) => (b.val_loss < a.val_loss ? b : a));
    expect(out.best).toEqual(min);
    const saved = JSON.parse(readFileSync(join(run, 'best_validation.json'), 'utf8'));
    expect(saved).toEqual({ ...min, metric: 'val_loss', value: min.val_loss, compared: 3 });
    const comparison = JSON.parse(readFileSync(join(run, 'comparison.json'), 'utf8'));
    expect(comparison).toMatchObject({ metric: 'val_loss', split: 'validation', data: 'data/ru_poetry.parquet', checkpoints: out.checkpoints });

    // --checkpoint RUN/best and --resume best's keyword resolve through best_validation.json
    const p = JSON.parse((await cli('eval', 'perplexity', '--checkpoint', join(run, 'best'), '--backend', 'wasm', '--json')).out);
    expect(p.step).toBe(min.step);
    expect(p.loss).toBeCloseTo(min.val_loss, 10);
    expect((await openCheckpoint('best', run)).dir).toBe(join(run, min.path));
  }, 60_000);

  it('--last K scores the newest K; --metric perplexity; bad flags are errors naming them', async () => {
    const r = await cli('eval', 'checkpoints', run, '--last', '2', '--metric', 'perplexity', '--backend', 'wasm');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^\[1\/2\] step 20: val_loss [\d.]+, perplexity [\d.]+ \(\d+ tokens\) checkpoints\/step-0000020\n\[2\/2\] step 30: /);
    expect(r.out).toMatch(/best by perplexity: step (20|30) .* of 2 checkpoints → .*best_validation.json/);
    expect(JSON.parse(readFileSync(join(run, 'comparison.json'), 'utf8')).checkpoints.map((x: CheckpointScore) => x.step)).toEqual([20, 30]);
    const bad = await cli('eval', 'checkpoints', run, '--metric', 'bleu');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--metric must be one of val_loss, perplexity; got "bleu"/);
    expect((await cli('eval', 'checkpoints', join(run, 'nothing'), '--backend', 'wasm')).err).toMatch(/no checkpoints under/);
  }, 60_000);
});

describe('bestCheckpoint', () => {
  const row = (step: number, val_loss: number): CheckpointScore => ({ step, path: `checkpoints/step-${step}`, val_loss, perplexity: Math.exp(val_loss), tokens: 1 });
  it('lowest value; a tie goes to the earlier step; NaN never wins; nothing → null', () => {
    expect(bestCheckpoint([row(10, 2), row(20, 1.5), row(30, 1.5), row(40, NaN)], 'val_loss')?.step).toBe(20);
    expect(bestCheckpoint([row(10, NaN)], 'perplexity')).toBeNull();
    expect(bestCheckpoint([], 'val_loss')).toBeNull();
  });
});
