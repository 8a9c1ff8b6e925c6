import { describe, expect, it } from 'vitest';
import type { DataProgressEvent, WatermarkEvalEvent } from '../../src/core/events.ts';
import { dashboardReducer, initialDashboardState } from '../../src/dashboard/dashboardReducer.ts';
import { formatEvent } from '../../src/dashboard/formatEvent.ts';

const ev: WatermarkEvalEvent = { type: 'eval/watermark', step: 500, time: 1, auc: 0.98765, f1: 0.9, meanZGenerated: 7.456, meanZReal: -0.123 };

describe('eval/watermark in the plain log and the TUI log', () => {
  it('prints one line with AUC, F1 and each class mean z; NaN (an empty class) prints as NaN', () => {
    expect(formatEvent(ev)).toBe('watermark eval step 500 | AUC 0.988 | F1 0.900 | mean z generated 7.46 / real -0.12');
    expect(formatEvent({ ...ev, auc: NaN, meanZReal: NaN })).toBe('watermark eval step 500 | AUC NaN | F1 0.900 | mean z generated 7.46 / real NaN');
  });

  it('goes to the dashboard log', () => {
    const s = dashboardReducer(initialDashboardState, ev);
    expect(s.log.map((l) => l.event)).toEqual([ev]);
  });
});

describe('data/progress in the plain log and the TUI log', () => {
  const live: DataProgressEvent = { type: 'data/progress', step: 0, time: 1, phase: 'tokenize', rows: 120_000, bytes: 1.5e8, totalBytes: 3e8, tokens: 45_000_000, elapsedS: 10, rowsPerSec: 12_000, mbPerSec: 15, etaS: 10, workers: 2, done: false };
  it('prints rows, MB of the total, tokens, rows/s, MB/s, workers and the ETA; when done the time taken', () => {
    expect(formatEvent(live)).toBe('tokenizing: 120,000 rows, 150.0/300.0 MB, 45,000,000 tokens | 12,000 rows/s | 15.0 MB/s | 2 workers | ETA 10s');
    expect(formatEvent({ ...live, done: true, bytes: 3e8, elapsedS: 65, workers: 1, etaS: 0 })).toBe('tokenizing done: 120,000 rows, 300.0/300.0 MB, 45,000,000 tokens | 12,000 rows/s | 15.0 MB/s | 1m05s');
    expect(formatEvent({ ...live, phase: 'vocab', tokens: 0, etaS: NaN, workers: 1 })).toBe('reading the vocabulary: 120,000 rows, 150.0/300.0 MB | 12,000 rows/s | 15.0 MB/s | ETA ?');
  });

  it('logs only the summary in the TUI', () => {
    const s = dashboardReducer(dashboardReducer(initialDashboardState, live), { ...live, done: true });
    expect(s.log.map((l) => (l.event.type === 'data/progress' ? l.event.done : null))).toEqual([true]);
  });
});
