import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { TrainEvent } from '../../../src/core/events.ts';
import { type BackendReport, setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { prepareData, resolveTokenizer } from '../../../src/pipeline/data/prepareData.ts';
import { createTrainRun } from '../../../src/pipeline/train/trainRun.ts';
import { mixtureCounts } from '../../../src/streams/sources/mixtureSchedule.ts';

let backend: BackendReport;
beforeAll(async () => {
  backend = await setupBackend('wasm');
});

const MIX = [
  { path: 'data/ru_poetry.parquet', weight: 3, name: 'ru' },
  { path: 'data/en_poetry.parquet', weight: 1, name: 'en' },
];
const small = (out: string, extra: Record<string, unknown> = {}) =>
  normalizeConfig({ out, data: MIX, max_docs: 60, context: 32, batch_size: 4, layers: 1, hidden: 32, max_steps: 6, log_every: 1, eval_every: 3, eval_batches: 2, sample_tokens: 0, ws: false, cache_dir: join(out, 'cache'), checkpoint_every: 3, keep_checkpoints: 0, ...extra });
const run = async (cfg: ReturnType<typeof small>): Promise<TrainEvent[]> => lastValueFrom((await createTrainRun(cfg, backend)).events$.pipe(toArray()));
const losses = (es: TrainEvent[]) => es.flatMap((e) => (e.type === 'train/step' ? [[e.step, e.loss]] : []));
const evals = (es: TrainEvent[]) => es.flatMap((e) => (e.type === 'eval' ? [e] : []));

describe('a mixture of two sources (ru and en poems)', () => {
  it('prepares each source on its own, reports planned and drawn shares, validates per source, and resumes bit for bit', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-mix-'));
    const events = await run(small(out));
    const start = events[0];
    expect(start.type).toBe('run/start');
    if (start.type !== 'run/start') return;
    const planned = mixtureCounts([3, 1], 1337, 24);
    expect(start.mixture!.map((m) => [m.name, m.weight, m.rows])).toEqual([
      ['ru', 3, planned[0]],
      ['en', 1, planned[1]],
    ]);
    expect(start.mixture![0].share).toBeCloseTo(planned[0] / 24, 12);
    const end = events.at(-1)!;
    expect(end.type === 'run/end' && end.mixture!.map((m) => m.rows)).toEqual(planned);

    // one eval per eval_every with both sources; the mixed loss is their token-weighted mean, between them
    const ev = evals(events);
    expect(ev.map((e) => e.step)).toEqual([3, 6]);
    for (const e of ev) {
      const { ru, en } = e.valLossBySource!;
      expect(Object.keys(e.valLossBySource!)).toEqual(['ru', 'en']);
      expect(e.valLoss).toBeGreaterThanOrEqual(Math.min(ru, en));
      expect(e.valLoss).toBeLessThanOrEqual(Math.max(ru, en));
    }
    // the weights of that mean: each source's validation tokens in eval_batches batches
    const cfg = small(out);
    const { tokenizer } = await resolveTokenizer(cfg);
    const data = await prepareData(cfg, tokenizer);
    const n = data.sources!.map((s) => Math.min(s.val.length - (s.val.length % 4), 8) * 32);
    data.close();
    const { ru, en } = ev[1].valLossBySource!;
    expect(ev[1].valLoss).toBeCloseTo((ru * n[0] + en * n[1]) / (n[0] + n[1]), 10);

    // resumed from step 3's checkpoint, each source's documents read back from its token cache on disk:
    // the same batches, so the same losses and validation
    const resumed = await run(small(out, { resume: join(out, 'checkpoints', 'step-0000003') }));
    expect(resumed[0].type === 'run/start' && resumed[0].tokenCache?.hit).toBe(true);
    expect(losses(resumed)).toEqual(losses(events).filter(([s]) => s > 3));
    expect(evals(resumed).map((e) => [e.valLoss, e.valLossBySource])).toEqual([[ev[1].valLoss, ev[1].valLossBySource]]);
  }, 60_000);

  it('refuses group_by_length with a mixture', async () => {
    await expect(createTrainRun(small(mkdtempSync(join(tmpdir(), 'vf-mix-gbl-')), { group_by_length: 4 }), backend)).rejects.toThrow(/group_by_length does not work with a mixture/);
  });

  it('a source that names nothing is a ConfigError naming the entry', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-mix-bad-'));
    const cfg = normalizeConfig({ out, data: [MIX[0], { path: 'data/nope.parquet', name: 'nope' }], max_docs: 20, token_cache: false, tokenizer: join(out, 'missing.json'), vocab_size: 0 });
    await expect(prepareData(cfg, (await resolveTokenizer({ ...cfg, tokenizer: 'char', data: MIX[0].path })).tokenizer)).rejects.toThrow(/data\[1\] \(nope\): .*nope\.parquet/);
  });
});
