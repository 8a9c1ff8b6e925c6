import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { TrainEvent } from '../../../src/core/events.ts';
import { type BackendReport, setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { lrAt } from '../../../src/model/nn/schedule.ts';
import { compareCheckpoints } from '../../../src/pipeline/compareCheckpoints.ts';
import { decayTailSchedule } from '../../../src/pipeline/train/decayTail.ts';
import { createTrainRun } from '../../../src/pipeline/train/trainRun.ts';

let backend: BackendReport;
beforeAll(async () => {
  backend = await setupBackend('wasm');
});

const LR = 3e-3;
const MIN = LR * 0.1;
// the stable run: warmup 3, stable to step 6, decay over steps 7..8 (decay_ratio 0.25 of 8)
const stableCfg = (out: string, extra: Record<string, unknown> = {}) =>
  normalizeConfig({
    out, max_docs: 200, context: 32, batch_size: 4, layers: 1, hidden: 32, max_steps: 8, log_every: 1, eval_every: 0, eval_batches: 1, sample_tokens: 0, ws: false,
    token_cache: false, checkpoint_every: 2, keep_checkpoints: 0, schedule: 'wsd', decay_ratio: 0.25, warmup_steps: 3, lr: LR, min_lr_ratio: 0.1, ...extra,
  });
const run = async (cfg: ReturnType<typeof stableCfg>): Promise<TrainEvent[]> => lastValueFrom((await createTrainRun(cfg, backend)).events$.pipe(toArray()));
const steps = (es: TrainEvent[]) => es.flatMap((e) => (e.type === 'train/step' ? [e] : []));

describe('decayTailSchedule', () => {
  it("is the decay segment of a full WSD schedule whose decay starts at the checkpoint's step", () => {
    const tail = decayTailSchedule(LR, MIN, 4, 3);
    // full WSD over 7 steps, warmup 3, decay the last 3 (decay_ratio 3/7): indices 4..6 are its decay
    const full = { kind: 'wsd' as const, lr: LR, minLr: MIN, warmup: 3, total: 7, decayFraction: 3 / 7 };
    const seg = [4, 5, 6].map((i) => lrAt(i, tail));
    expect(seg).toEqual([4, 5, 6].map((i) => lrAt(i, full)));
    // by hand: 3e-3, 3e-3 − 2.7e-3/3 = 2.1e-3, 3e-3 − 2·2.7e-3/3 = 1.2e-3
    [3e-3, 2.1e-3, 1.2e-3].forEach((v, k) => expect(seg[k]).toBeCloseTo(v, 12));
    expect(lrAt(7, tail)).toBe(MIN);
  });
});

describe('train with decay_from', () => {
  it('branches tails from one stable checkpoint: own run dirs, decay-only LRs, first losses equal the stable run\'s continuation', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-wsd-'));
    const stable = steps(await run(stableCfg(out)));
    expect(stable.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const ckpt = join(out, 'checkpoints', 'step-0000004');

    const events = await run(stableCfg('', { decay_from: ckpt, decay_steps: 3 }));
    expect(events[0]).toMatchObject({ type: 'run/start', step: 4, resumedFrom: ckpt });
    const tail = steps(events);
    expect(tail.map((e) => e.step)).toEqual([5, 6, 7]);
    [3e-3, 2.1e-3, 1.2e-3].forEach((v, k) => expect(tail[k].lr).toBeCloseTo(v, 9));
    // steps 5 and 6 start from the same weights, AdamW state and batch as the stable run's (step 5 at the
    // same lr), so their losses are the stable run's; step 7 follows a lower lr than the stable run's
    expect(tail[0].loss).toBe(stable[4].loss);
    expect(tail[1].loss).toBe(stable[5].loss);
    expect(tail[2].loss).not.toBe(stable[6].loss);
    expect(existsSync(join(`${out}-tail-4-3`, 'checkpoints', 'step-0000007', 'state.json'))).toBe(true);
    // selection over the tail's checkpoints (what `versiflow eval checkpoints TAIL` runs): the lowest val loss
    const pick = await compareCheckpoints(`${out}-tail-4-3`);
    expect(pick.rows.map((r) => r.step)).toEqual([6, 7]);
    expect(pick.best.val_loss).toBe(Math.min(...pick.rows.map((r) => r.val_loss)));

    // a second tail from the same checkpoint, named: its own directory, the stable run untouched
    const named = join(out, '..', `${out.split('/').pop()}-short`);
    const short = steps(await run(stableCfg(named, { decay_from: ckpt, decay_steps: 2 })));
    expect(short.map((e) => [e.step, Number(e.lr.toPrecision(6))])).toEqual([[5, 3e-3], [6, 1.65e-3]]);
    expect(short[0].loss).toBe(stable[4].loss);
    expect(existsSync(join(named, 'checkpoints', 'step-0000006'))).toBe(true);
    expect(existsSync(join(out, 'checkpoints', 'step-0000008'))).toBe(true);

    // refused: a checkpoint in the warmup or in the decay, no decay_steps, decay_from with resume
    await expect(createTrainRun(stableCfg('', { decay_from: join(out, 'checkpoints', 'step-0000002'), decay_steps: 2 }), backend)).rejects.toThrow(/is at step 2, in its warmup \(steps 1\.\.3\); branch a tail from a stable-phase checkpoint \(steps 3\.\.5\)/);
    await expect(createTrainRun(stableCfg('', { decay_from: join(out, 'checkpoints', 'step-0000008'), decay_steps: 2 }), backend)).rejects.toThrow(/is at step 8, in its decay \(from step 7\)/);
    await expect(createTrainRun(stableCfg('', { decay_from: ckpt }), backend)).rejects.toThrow(/decay_steps must be at least 1/);
    await expect(createTrainRun(stableCfg(out, { decay_from: ckpt, decay_steps: 2, resume: 'latest' }), backend)).rejects.toThrow(/either decay_from or resume/);
  });
});
