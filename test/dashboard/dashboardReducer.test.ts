import { describe, it, expect } from 'vitest';
import { dashboardReducer, initialDashboardState, LOG_KEEP, TOK_EMA_ALPHA } from '../../src/dashboard/dashboardReducer.ts';
import { seriesPoints } from '../../src/core/series.ts';
import type { TrainEvent, TrainStepEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';

const fold = (events: readonly TrainEvent[]) => events.reduce(dashboardReducer, initialDashboardState);

describe('dashboardReducer', () => {
  it('folds a scripted run into header, last step, curves, best and log', () => {
    const s = fold(scriptedRun({ steps: 100 }));
    expect(s.run?.name).toBe('tiny-test');
    expect(s.lastStep?.step).toBe(100);
    expect(seriesPoints(s.loss)).toHaveLength(100);
    expect(seriesPoints(s.valLoss).map((p) => p[0])).toEqual([20, 40, 60, 80, 100]);
    expect(s.best).toEqual({ step: 60, valLoss: 0.6 });
    expect(s.warnings).toBe(1);
    expect(s.end?.reason).toBe('completed');
    // 5 evals, 2 samples, 2 checkpoints, 1 warning, 1 run/end, numbered 1..11 in arrival order
    expect(s.log.map((l) => l.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(s.log.map((l) => l.event.type).filter((t) => t === 'sample')).toHaveLength(2);
  });

  it('smooths tokens/s with an EMA', () => {
    const [start, a, b] = scriptedRun({ steps: 2 }) as [TrainEvent, TrainStepEvent, TrainStepEvent];
    const s = fold([start, { ...a, tokPerSec: 1000 }, { ...b, tokPerSec: 2000 }]);
    expect(s.tokPerSecEma).toBeCloseTo(1000 + TOK_EMA_ALPHA * 1000, 9);
  });

  it('does not mutate the previous state', () => {
    const events = scriptedRun({ steps: 20 });
    const before = fold(events.slice(0, 10));
    const snapshot = JSON.stringify(before);
    dashboardReducer(before, events[10]);
    expect(JSON.stringify(before)).toBe(snapshot);
  });

  it('resets figures on a new run/start but keeps log numbering', () => {
    const first = fold(scriptedRun({ steps: 20 }));
    const [start] = scriptedRun({ steps: 20 });
    const s = dashboardReducer(first, start);
    expect(s.lastStep).toBeNull();
    expect(seriesPoints(s.loss)).toEqual([]);
    expect(s.logSeq).toBe(first.logSeq);
  });

  it('keeps only the newest LOG_KEEP log entries', () => {
    let s = initialDashboardState;
    for (let i = 0; i < LOG_KEEP + 7; i++) s = dashboardReducer(s, { type: 'warning', step: i, time: i, message: `w${i}` });
    expect(s.log).toHaveLength(LOG_KEEP);
    expect(s.log[0].seq).toBe(8);
    expect(s.logSeq).toBe(LOG_KEEP + 7);
  });
});
