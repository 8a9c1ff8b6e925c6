import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, tap, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { type BackendReport, setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { createTrainRun } from '../../../src/pipeline/train/trainRun.ts';

let backend: BackendReport;
beforeAll(async () => {
  backend = await setupBackend('wasm');
});

const small = (out: string, extra: Record<string, unknown> = {}) =>
  normalizeConfig({ out, max_docs: 200, context: 32, batch_size: 4, layers: 1, hidden: 32, max_steps: 100, log_every: 1, eval_every: 0, eval_batches: 1, sample_tokens: 0, ws: false, token_cache: false, ...extra });

describe('createTrainRun controls', () => {
  it('stop() ends the run after the next step with a checkpoint and reason "stopped"', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-stop-'));
    const run = await createTrainRun(small(out), backend);
    const events = await lastValueFrom(
      run.events$.pipe(
        tap((e) => {
          if (e.type === 'train/step' && e.step === 3) run.controls.stop();
        }),
        toArray(),
      ),
    );
    const end = events[events.length - 1];
    expect(end).toMatchObject({ type: 'run/end', reason: 'stopped', step: 4 });
    expect(events.some((e) => e.type === 'checkpoint' && e.step === 4)).toBe(true);
    expect(existsSync(join(out, 'checkpoints', 'step-0000004', 'state.json'))).toBe(true);
  });

  it('pause holds the next step until resumed', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-pause-'));
    const run = await createTrainRun(small(out, { max_steps: 3 }), backend);
    const seen: number[] = [];
    let paused = false;
    const done = lastValueFrom(
      run.events$.pipe(
        tap((e) => {
          if (e.type === 'train/step') seen.push(e.step);
          if (e.type === 'train/step' && e.step === 1 && !paused) paused = run.controls.togglePause();
        }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(paused).toBe(true);
    expect(seen).toEqual([1]);
    expect(run.controls.togglePause()).toBe(false);
    await done;
    expect(seen).toEqual([1, 2, 3]);
  });

  it('a failing run emits run/end with reason "error" before the error', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-err-'));
    const run = await createTrainRun(small(out, { lr: 1e30, warmup_steps: 1, grad_clip: 0 }), backend);
    const seen: string[] = [];
    await expect(lastValueFrom(run.events$.pipe(tap((e) => seen.push(e.type === 'run/end' ? `end:${e.reason}` : e.type))))).rejects.toThrow(/training loss is (NaN|Infinity)|gradient norm is (NaN|Infinity)/); // the step guard stops it after max_bad_steps
    expect(seen[seen.length - 1]).toBe('end:error');
  });
});
