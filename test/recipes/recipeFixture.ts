import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { importModel } from '../../src/pipeline/import/importModel.ts';
import { loadRecipe } from '../../src/pipeline/recipes/loadRecipes.ts';
import { runRecipe, type StageOutcome } from '../../src/pipeline/recipes/runRecipe.ts';

export interface SmokeRun {
  readonly out: string;
  readonly log: string;
  readonly outcomes: StageOutcome[];
  readonly json: (rel: string) => Record<string, unknown>;
}

/** Runs recipes/NAME.ts at smoke scale into a fresh temp directory, in this process. */
export async function smokeRun(name: string): Promise<SmokeRun> {
  const out = mkdtempSync(join(tmpdir(), `versiflow-recipe-${name}-`));
  let log = '';
  const sink = { write: (s: string) => ((log += s), true) };
  const outcomes = await runRecipe(await loadRecipe(name), { out, scale: 'smoke', io: { stdout: sink, stderr: sink } });
  return { out, log, outcomes, json: (rel) => JSON.parse(readFileSync(join(out, rel), 'utf8')) as Record<string, unknown> };
}

/**
 * What every recipe leaves: the final checkpoint (step `steps`), a validation loss that is finite and
 * below the uniform log V of the checkpoint's vocabulary, the report page, and an export that
 * Versiflow's own Transformers reader loads back as the same shape (layers, width, vocabulary). Parameter
 * counts differ on purpose: GPT-2 folders carry zero biases, latent K/V is folded into plain K and V.
 */
export async function expectTrainedAndExported(r: SmokeRun, o: { steps: number; family: 'hf-llama' | 'hf-gpt2' }): Promise<{ loss: number; vocab: number }> {
  const ckpt = join('run', 'checkpoints', `step-${String(o.steps).padStart(7, '0')}`);
  const state = r.json(join(ckpt, 'state.json')) as { step: number; params: number; config: { vocab_size: number } };
  expect(state.step).toBe(o.steps);
  const ppl = r.json('run/eval/perplexity.json') as { loss: number; perplexity: number; step: number };
  const vocab = state.config.vocab_size;
  expect(vocab).toBeGreaterThan(0);
  expect(Number.isFinite(ppl.loss)).toBe(true);
  expect(ppl.step).toBe(o.steps);
  expect(ppl.loss).toBeGreaterThan(0);
  expect(ppl.loss).toBeLessThan(Math.log(vocab));
  expect(ppl.perplexity).toBeCloseTo(Math.exp(ppl.loss), 6);
  expect(readFileSync(join(r.out, 'run/report/index.html'), 'utf8')).toContain('<html');
  const gen = readFileSync(join(r.out, 'gen/generations.jsonl'), 'utf8').trim().split('\n');
  expect(gen.length).toBeGreaterThan(0);
  const back = await importModel({ from: join(r.out, 'export/hf'), out: join(r.out, 'reimported') });
  expect(back.kind).toBe(o.family);
  const imported = JSON.parse(readFileSync(join(back.checkpoint, 'state.json'), 'utf8')) as typeof state & { config: { layers: number; hidden: number } };
  const ours = state.config as typeof imported.config;
  expect([imported.config.layers, imported.config.hidden, imported.config.vocab_size]).toEqual([ours.layers, ours.hidden, ours.vocab_size]);
  expect(imported.params).toBeGreaterThan(0.9 * state.params);
  expect(imported.params).toBeLessThan(1.1 * state.params);
  return { loss: ppl.loss, vocab };
}
