import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyCsv } from '../../src/dashboard/historyCsv.ts';
import type { PrefEvalEvent, PrefStepEvent } from '../../src/core/events.ts';
import { dashboardReducer, initialDashboardState } from '../../src/dashboard/dashboardReducer.ts';
import { formatEvent } from '../../src/dashboard/formatEvent.ts';
import { seriesPoints } from '../../src/core/series.ts';
import { createFeedState, recordEvent } from '../../src/streams/feed/feedState.ts';
import { prometheusMetrics } from '../../src/streams/feed/prometheusMetrics.ts';
import { reviveEvent } from '../../src/streams/feed/feedProtocol.ts';

const step: PrefStepEvent = {
  type: 'pref/step', step: 40, time: 1, task: 'kto', loss: 0.41234, lr: 5e-6, gradNorm: 0.75, rewardsChosen: 0.12, rewardsRejected: -0.3, margin: 0.42,
  logpsChosen: -35.2, logpsRejected: -80.1, logRatio: -0.0123, z: 0, zRef: -0.002, ms: 850, elapsedS: 34, etaS: 136, totalSteps: 200,
};
const evalPref: PrefEvalEvent = {
  type: 'eval/pref', step: 50, time: 2, accuracy: 0.875, margin: 0.61, logRatio: -0.02, pairs: 16,
  quality: { score: 0.5, loopRate: 0.25, repeated4gramRate: 0.25, completionRate: 1, distinct2: 0.8 }, bestQuality: 0.5,
};

describe('pref/step and eval/pref in the sinks', () => {
  it('the plain reporter prints the loss, margin with its parts, log-ratio and z_ref; a missing kind as –', () => {
    expect(formatEvent(step)).toBe('kto step 40/200 | loss 0.4123 | margin 0.420 (chosen 0.120, rejected -0.300) | log-ratio -0.012/token | z 0.000 | z_ref -0.002 | lr 5.00e-6 | 850 ms/step | ETA 2m16s');
    expect(formatEvent({ ...step, task: 'dpo', rewardsRejected: NaN, margin: NaN, z: undefined, zRef: undefined, accuracy: 1 })).toBe(
      'dpo step 40/200 | loss 0.4123 | margin – (chosen 0.120, rejected –) | log-ratio -0.012/token | acc 1.00 | lr 5.00e-6 | 850 ms/step | ETA 2m16s',
    );
    expect(formatEvent(evalPref)).toBe('pref eval step 50 | accuracy 0.875 on 16 pairs | margin 0.610 | log-ratio -0.020/token | quality 0.500 (loops 0.25, repeated 4-grams 0.25, completed 1.00; best 0.500)');
  });

  it('the TUI state keeps the latest of each, charts the loss and logs the evaluation', () => {
    const s = dashboardReducer(dashboardReducer(initialDashboardState, step), evalPref);
    expect(s.lastPref).toBe(step);
    expect(s.lastPrefEval).toBe(evalPref);
    expect(seriesPoints(s.loss).map((p) => [p[0], p[1]])).toEqual([[40, 0.41234]]);
    expect(s.log.map((l) => l.event)).toEqual([evalPref]);
  });

  it('Prometheus shows the preference gauges; NaN travels as null and comes back as NaN', () => {
    const feed = createFeedState(4);
    recordEvent(feed, step);
    recordEvent(feed, evalPref);
    const text = prometheusMetrics(feed, { clients: 0, dropped: 0 });
    expect(text).toContain('versiflow_pref_loss 0.41234\n');
    expect(text).toContain('versiflow_pref_margin 0.42\n');
    expect(text).toContain('versiflow_pref_z_ref -0.002\n');
    expect(text).toContain('versiflow_pref_val_accuracy 0.875\n');
    expect(text).toContain('versiflow_pref_quality 0.5\n');
    const wire = JSON.parse(JSON.stringify({ ...step, rewardsRejected: NaN }));
    expect(wire.rewardsRejected).toBeNull();
    expect((reviveEvent(wire) as PrefStepEvent).rewardsRejected).toBeNaN();
  });

  it('history.csv gets the preference loss, lr and elapsed time on the step rows', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vf-hist-')), 'history.csv');
    const sink = historyCsv(path);
    sink.next!(step);
    sink.complete!();
    expect(readFileSync(path, 'utf8').split('\n')[1]).toBe('40,,0.412340,,0.00000500000,,34,,');
  });
});
