import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { TrainEvent } from '../../../src/core/events.ts';
import { type BackendReport, setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { createTrainRun } from '../../../src/pipeline/train/trainRun.ts';
import { architectureDiff } from '../../../src/pipeline/train/trainingModel.ts';

let backend: BackendReport;
beforeAll(async () => {
  backend = await setupBackend('wasm');
});

const small = (out: string, extra: Record<string, unknown> = {}) =>
  normalizeConfig({ out, max_docs: 200, context: 32, batch_size: 4, layers: 1, hidden: 32, max_steps: 6, log_every: 1, eval_every: 0, eval_batches: 1, sample_tokens: 0, ws: false, token_cache: false, checkpoint_every: 2, keep_checkpoints: 0, ...extra });
const run = async (cfg: ReturnType<typeof small>): Promise<TrainEvent[]> => lastValueFrom((await createTrainRun(cfg, backend)).events$.pipe(toArray()));
const warnings = (es: TrainEvent[]) => es.flatMap((e) => (e.type === 'warning' ? [e.message] : []));

describe('resume', () => {
  it('--resume latest passes over a corrupt newest checkpoint, says so, and continues from the previous good one', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-res-'));
    await run(small(out));
    const newest = join(out, 'checkpoints', 'step-0000006', 'model.safetensors');
    const bytes = readFileSync(newest);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(newest, bytes);
    const events = await run(small(out, { resume: 'latest', max_steps: 8 }));
    const start = events[0];
    expect(start).toMatchObject({ type: 'run/start', step: 4, resumedFrom: join(out, 'checkpoints', 'step-0000004') });
    expect(warnings(events)[0]).toMatch(/skipped checkpoint .*step-0000006: .*model\.safetensors SHA-256 .* \(corrupt\); resuming from .*step-0000004/);
    expect(events.filter((e) => e.type === 'train/step').map((e) => e.step)).toEqual([5, 6, 7, 8]);
  });

  it('refuses another architecture, naming the keys, and warns about another corpus with both fingerprints', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-arch-'));
    await run(small(out, { max_steps: 2 }));
    await expect(createTrainRun(small(out, { resume: 'latest', hidden: 64 }), backend)).rejects.toThrow(/another architecture: hidden 32 ≠ 64.*resume with the checkpoint's config/);
    const events = await run(small(out, { resume: 'latest', max_steps: 3, max_docs: 150 }));
    expect(warnings(events).join('\n')).toMatch(/the corpus differs from the one .* was trained on \(fingerprint [0-9a-f]{16} then, [0-9a-f]{16} now\)/);
  });

  it('architectureDiff ignores dropout and compares resolved values', () => {
    const cfg = normalizeConfig({ hidden: 32, heads: 4 });
    const gpt = resolveGptConfig({ ...cfg, vocabSize: 10 });
    expect(architectureDiff(gpt, { hidden: 32, heads: 4, dropout: 0.1, vocab_size: 10 })).toEqual([]);
    expect(architectureDiff(gpt, { hidden: 32, heads: 4, kv_heads: 2, vocab_size: 10 })).toEqual(['kv_heads 2 ≠ 4']);
  });
});

describe('early stopping and save-on-improvement in a run', () => {
  it('stops after early_stop_patience evaluations without a new best, with a checkpoint at that step', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-early-'));
    // lr 0: the validation loss never improves after the first evaluation
    const events = await run(small(out, { lr: 0, max_steps: 40, eval_every: 2, early_stop_patience: 2, checkpoint_every: 0 }));
    const end = events.at(-1)!;
    expect(end).toMatchObject({ type: 'run/end', step: 6, reason: 'stopped', checkpoint: join(out, 'checkpoints', 'step-0000006') });
    expect(warnings(events).join('\n')).toMatch(/early stopping: no new best validation loss .* in 2 evaluations/);
    expect(events.filter((e) => e.type === 'train/step').at(-1)!.step).toBe(6);
  });

  it('--no-always-save-checkpoint writes periodic checkpoints only at improving evaluations', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-improve-'));
    const events = await run(small(out, { lr: 0, max_steps: 8, eval_every: 2, checkpoint_every: 2, always_save_checkpoint: false }));
    // lr 0: only the first evaluation is a new best; the final step is always written
    expect(events.filter((e) => e.type === 'checkpoint').map((e) => e.step)).toEqual([2, 8]);
  });
});
