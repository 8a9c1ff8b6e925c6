import { describe, expect, it } from 'vitest';
import type { StepState } from '../../../src/core/stepState.ts';
import { runEndEvent, runErrorEvent } from '../../../src/pipeline/train/runEvents.ts';

const state = (step: number, extra: Partial<StepState> = {}): StepState => ({ step, epoch: 1, final: true, lr: 1e-3, tokens: 10, events: [], ...extra });

describe('run/end', () => {
  it('completed, with the final losses and the last checkpoint', () => {
    const last = state(100, { loss: 1.5, valLoss: 1.7, events: [{ type: 'checkpoint', step: 100, time: 1, path: '/r/step-0000100', bytes: 10 } as never] });
    expect(runEndEvent(last, { startStep: 0, totalSteps: 100, stopped: false, elapsedS: 3, time: 7 })).toEqual({
      type: 'run/end', step: 100, time: 7, reason: 'completed', elapsedS: 3, finalLoss: 1.5, finalValLoss: 1.7, checkpoint: '/r/step-0000100',
    });
  });

  it('stopped only when a stop came before total_steps; a NaN val loss (no validation) is left out', () => {
    expect(runEndEvent(state(40, { valLoss: NaN }), { startStep: 0, totalSteps: 100, stopped: true, elapsedS: 1, time: 2 })).toEqual({ type: 'run/end', step: 40, time: 2, reason: 'stopped', elapsedS: 1 });
    expect(runEndEvent(state(100), { startStep: 0, totalSteps: 100, stopped: true, elapsedS: 1, time: 2 }).reason).toBe('completed');
    expect(runEndEvent(null, { startStep: 30, totalSteps: 100, stopped: true, elapsedS: 0, time: 2 }).step).toBe(30);
  });

  it('error: the message and the last step reached', () => {
    expect(runErrorEvent(state(12), new Error('loss is NaN'), { startStep: 0, elapsedS: 4, time: 5 })).toEqual({ type: 'run/end', step: 12, time: 5, reason: 'error', elapsedS: 4, message: 'loss is NaN' });
  });
});
