import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.ts';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { TrainEvent, WatermarkEvalEvent } from '../../../src/core/events.ts';
import { watermarkEvalScheme } from '../../../src/pipeline/train/watermarkEvaluator.ts';
import { createFeedState, recordEvent } from '../../../src/streams/feed/feedState.ts';
import { prometheusMetrics } from '../../../src/streams/feed/prometheusMetrics.ts';
import { captureIO } from '../../cli/checkpointFixture.ts';

/** A tiny char model, 40 steps on 300 shipped poems, with the watermark evaluation at step 20 and at the end. */
const TRAIN = [
  'train', '--config', 'tiny', '--max-steps', '40', '--max-docs', '300', '--context', '64', '--batch-size', '8', '--layers', '2', '--hidden', '64',
  '--eval-every', '0', '--eval-batches', '1', '--log-every', '20', '--sample-tokens', '0', '--backend', 'wasm', '--no-ws', '--reporter', 'plain',
  '--watermark-eval-every', '20', '--watermark-eval-n', '8', '--watermark-eval-max-new-tokens', '200',
];

describe('watermark evaluation inside training (watermark_eval_every)', () => {
  it('writes eval/watermark events (AUC > 0.9 at 200 tokens) to the reporter, metrics.jsonl, history.csv and Prometheus', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-wmtrain-'));
    const c = captureIO();
    const code = await main([...TRAIN, '--out', out], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as TrainEvent);
    const wm = events.filter((e): e is WatermarkEvalEvent => e.type === 'eval/watermark');
    expect(wm.map((e) => e.step)).toEqual([20, 40]);
    const last = wm[1];
    expect(last.auc).toBeGreaterThan(0.9);
    expect(last.meanZGenerated).toBeGreaterThan(4);
    expect(last.meanZReal).toBeLessThan(2);
    expect(last.f1).toBeGreaterThan(0.8);
    // the plain reporter's line
    expect(c.out()).toContain(`watermark eval step 40 | AUC ${last.auc.toFixed(3)} | F1 ${last.f1.toFixed(3)} | mean z generated ${last.meanZGenerated.toFixed(2)}`);
    // history.csv: the watermark columns on the evaluation steps' rows
    const [head, ...rows] = readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n');
    expect(head).toBe('step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s,watermark_auc,watermark_f1');
    const row40 = rows.map((r) => r.split(',')).find((r) => r[0] === '40')!;
    expect(Number(row40[7])).toBeCloseTo(last.auc, 5);
    expect(Number(row40[8])).toBeCloseTo(last.f1, 5);
    // Prometheus: the feed's state after these events
    const feed = createFeedState(4);
    for (const e of events) recordEvent(feed, e);
    const text = prometheusMetrics(feed, { clients: 0, dropped: 0 });
    expect(text).toContain('# TYPE versiflow_watermark_auc gauge');
    const value = (name: string) => Number(new RegExp(`^${name}\\{run="tiny"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('versiflow_watermark_auc')).toBe(last.auc);
    expect(value('versiflow_watermark_f1')).toBe(last.f1);
    expect(value('versiflow_watermark_mean_z_generated')).toBe(last.meanZGenerated);
    expect(value('versiflow_watermark_mean_z_real')).toBe(last.meanZReal);
  }, 60_000);

  it('keyed needs watermark_eval_key; the schemes are the generation ones', () => {
    const cfg = normalizeConfig({ watermark_eval_scheme: 'keyed' });
    expect(() => watermarkEvalScheme(cfg, 50)).toThrow(/watermark_eval_scheme keyed needs watermark_eval_key/);
    expect(watermarkEvalScheme({ ...cfg, watermarkEvalKey: 'k' }, 50)).toMatchObject({ name: 'keyed', gamma: 0.25, delta: 2 });
    expect(watermarkEvalScheme(normalizeConfig({}), 50).name).toBe('poetru');
    expect(normalizeConfig({}).watermarkEvalEvery).toBe(-1);
    expect(() => normalizeConfig({ watermark_eval_every: -2 })).toThrow(/≥ -1/);
  });
});
