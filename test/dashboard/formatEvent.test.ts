import { describe, expect, it } from 'vitest';
import type { WatermarkEvalEvent } from '../../src/core/events.ts';
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
