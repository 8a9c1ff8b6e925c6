import { lastValueFrom, toArray } from 'rxjs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../../src/core/events.ts';
import { type BackendReport, setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { createPrefRun } from '../../../src/pipeline/prefs/prefRun.ts';
import { loadModel } from '../../../src/pipeline/withModel.ts';
import { disposeWeights } from '../../../src/model/nn/gpt.ts';
import { writeTestCheckpoint } from '../../cli/checkpointFixture.ts';
import { writePairedPrefs } from './prefFixture.ts';

let backend: BackendReport;
let ckpt: string;
let data: string;
beforeAll(async () => {
  backend = await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
  data = writePairedPrefs();
});

async function run(task: 'kto' | 'dpo', over: Record<string, unknown>): Promise<{ events: TrainEvent[]; runDir: string }> {
  const out = mkdtempSync(join(tmpdir(), `versiflow-${task}-`));
  const cfg = loadConfig(task, {
    init_from: ckpt, data, out, backend: 'cpu', ws: false, batch_size: 4, micro_batch: 2, max_steps: 4, log_every: 1, eval_every: 2,
    val_fraction: 0.25, pref_quality_prompts: 2, pref_quality_tokens: 8, checkpoint_every: 0, ...over,
  });
  const r = await createPrefRun(cfg, backend);
  return { events: await lastValueFrom(r.events$.pipe(toArray())), runDir: r.runDir };
}

const ofType = <T extends TrainEvent['type']>(events: TrainEvent[], type: T) => events.filter((e): e is Extract<TrainEvent, { type: T }> => e.type === type);

describe('createPrefRun', () => {
  it('dpo: run/start, a pref/step per step, eval/pref with accuracy and quality, the best-quality and final checkpoints, run/end', async () => {
    const { events, runDir } = await run('dpo', { lr: 1e-2, max_steps: 3, eval_every: 0 });
    expect(events[0].type).toBe('run/start');
    const steps = ofType(events, 'pref/step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
    expect(steps[0].loss).toBeCloseTo(Math.log(2), 4); // the policy starts as the reference
    expect(steps.at(-1)!.margin).toBeGreaterThan(steps[0].margin);
    const evals = ofType(events, 'eval/pref');
    expect(evals.map((e) => e.step)).toEqual([0, 3]); // the starting point, then eval_every 0: at the end
    expect(evals[0]).toMatchObject({ pairs: 3, accuracy: 0, margin: 0, logRatio: 0 }); // 12 prompts, 25 % held out; policy = reference
    expect(evals.at(-1)!.accuracy).toBeGreaterThanOrEqual(0);
    expect(evals[0].quality?.completionRate).toBeGreaterThanOrEqual(0);
    const ckpts = ofType(events, 'checkpoint').map((e) => e.path);
    // best/ takes a checkpoint only when an evaluation beats the starting point's quality; otherwise a warning says init_from is still the best
    const beaten = evals.slice(1).some((e) => e.quality!.score > evals[0].quality!.score);
    expect(ckpts.some((p) => p.startsWith(join(runDir, 'best')))).toBe(beaten);
    const verdict = ofType(events, 'warning').filter((e) => e.message.startsWith("no evaluation beat the starting point's generation quality"));
    expect(verdict.length).toBe(beaten ? 0 : 1);
    const end = events.at(-1)!;
    expect(end.type === 'run/end' && end.reason).toBe('completed');
    expect(end.type === 'run/end' && end.checkpoint).toBe(join(runDir, 'checkpoints', 'step-0000003')); // the regular one, not best/
    // the final checkpoint loads like any other, with the init checkpoint's architecture
    const m = await loadModel(runDir);
    expect(m.gpt.hidden).toBe(32);
    disposeWeights(m.weights);
    console.log(`dpo run: margins ${steps.map((e) => e.margin.toFixed(3)).join(' → ')}; val accuracy ${evals.map((e) => e.accuracy).join(', ')}; quality ${evals.map((e) => e.quality?.score.toFixed(3)).join(', ')}`);
  });

  it('kto with a pretraining learning rate drifts from the reference and the guard warns', async () => {
    const { events } = await run('kto', { lr: 3e-2, pref_drift_bound: 0.05, max_steps: 3, eval_every: 0, pref_quality_prompts: 0 });
    const warnings = ofType(events, 'warning').map((e) => e.message);
    expect(warnings.some((m) => m.startsWith('lr 0.03 is a pretraining rate'))).toBe(true);
    const drift = ofType(events, 'warning').filter((e) => e.message.includes('drifting from the reference'));
    expect(drift.length).toBeGreaterThanOrEqual(1);
    const steps = ofType(events, 'pref/step');
    const at = steps.find((e) => e.step === drift[0].step)!;
    expect(Math.max(Math.abs(at.logRatio), Math.abs(at.zRef ?? 0))).toBeGreaterThan(0.05);
    console.log(`kto drift: log-ratio ${steps.map((e) => e.logRatio.toFixed(3)).join(' → ')}, z_ref ${steps.map((e) => e.zRef?.toFixed(4)).join(' → ')}; warned at step ${drift[0].step}`);
  });

  it('needs init_from', async () => {
    const cfg = loadConfig('kto', { data, backend: 'cpu' });
    await expect(createPrefRun(cfg, backend)).rejects.toThrow('give --init-from CHECKPOINT');
  });
});
