import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, cleanup } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import type { EvalEvent, RunEndEvent, RunStartEvent, TrainEvent } from '../../src/core/events.ts';
import { LossCharts } from '../../src/dashboard/components/LossCharts.tsx';
import { emptySeries } from '../../src/core/series.ts';
import { formatEvent } from '../../src/dashboard/formatEvent.ts';
import { historyCsv } from '../../src/dashboard/historyCsv.ts';
import { createFeedState, recordEvent } from '../../src/streams/feed/feedState.ts';
import { prometheusMetrics } from '../../src/streams/feed/prometheusMetrics.ts';
import { validateServerMessage } from '../streams/feed/feedTestClient.ts';

afterEach(() => cleanup());

const mixture = [
  { name: 'ru', weight: 3, rows: 74, share: 0.74, trainExamples: 500, valTokens: 1200 },
  { name: 'en', weight: 1, rows: 26, share: 0.26, trainExamples: 90, valTokens: 300 },
];
const start = { type: 'run/start', step: 0, time: 0, name: 'mix', config: {}, params: 10, backend: 'cpu', device: 'cpu', data: 'a,b', totalSteps: 25, trainTokens: 100, valTokens: 10, vocabSize: 50, mixture } as RunStartEvent;
const step = (s: number): TrainEvent => ({ type: 'train/step', step: s, time: 0, epoch: 0, loss: 3, lr: 0.001, tokPerSec: 100, elapsedS: s }) as unknown as TrainEvent;
const ev: EvalEvent = { type: 'eval', step: 10, time: 0, valLoss: 2.6, ppl: Math.exp(2.6), bestValLoss: 2.6, valLossBySource: { ru: 2.5, en: 3 } };
const end: RunEndEvent = { type: 'run/end', step: 25, time: 0, reason: 'completed', elapsedS: 1, mixture };

describe('val_loss_<source> in every sink', () => {
  it('history.csv: a val_loss_<name> column per source, filled on the eval step', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vf-mixhist-')), 'history.csv');
    const sink = historyCsv(path);
    for (const e of [start, step(10), ev, step(20), end]) sink.next!(e);
    sink.complete!();
    const [head, r10, r20] = readFileSync(path, 'utf8').split('\n');
    expect(head).toBe('step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s,watermark_auc,watermark_f1,val_loss_ru,val_loss_en');
    expect(r10).toBe('10,0,3,2.60000,0.00100000,100,10,,,2.50000,3');
    expect(r20).toBe('20,0,3,,0.00100000,100,20,,,,');
  });

  it('the plain reporter prints the shares at start and end and each source\'s loss', () => {
    expect(formatEvent(start)).toContain('mixture: ru 74.0% (w 3), en 26.0% (w 1) of 100 rows');
    expect(formatEvent(ev)).toBe('eval step 10 | val loss 2.6000 | ppl 13.46 | best 2.6000 | ru 2.5000 | en 3.0000');
    expect(formatEvent(end)).toContain('| drawn ru 74.0% (w 3), en 26.0% (w 1)');
  });

  it('the TUI shows each source\'s loss beside the val loss chart', () => {
    const { lastFrame } = render(<LossCharts loss={emptySeries(8)} valLoss={emptySeries(8)} best={null} lr={null} width={40} bySource={ev.valLossBySource} />);
    expect(lastFrame()).toContain('val loss  (ru 2.5000 · en 3.0000)');
  });

  it('Prometheus: versiflow_val_loss_source with a source label; the feed schema takes the events', () => {
    const s = createFeedState(8);
    for (const e of [start, ev]) recordEvent(s, e);
    const text = prometheusMetrics(s, { clients: 0, dropped: 0 });
    expect(text).toContain('versiflow_val_loss{run="mix"} 2.6\n');
    expect(text).toContain('versiflow_val_loss_source{run="mix",source="ru"} 2.5\nversiflow_val_loss_source{run="mix",source="en"} 3\n');
    for (const e of [start, ev, end, { ...ev, valLossBySource: { ru: null } }]) expect(validateServerMessage(JSON.parse(JSON.stringify(e))), JSON.stringify(validateServerMessage.errors)).toBe(true);
    expect(validateServerMessage({ ...ev, valLossBySource: { ru: 'x' } })).toBe(false);
  });
});
