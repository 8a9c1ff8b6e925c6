import { describe, expect, it } from 'vitest';
import { createRunControls } from '../../../src/pipeline/train/runControls.ts';

describe('createRunControls', () => {
  it('stop is seen by the schedule; a sample request is taken once', () => {
    const run = createRunControls();
    expect(run.stopRequested()).toBe(false);
    run.controls.sampleNow();
    expect(run.takeSampleRequest()).toBe(true);
    expect(run.takeSampleRequest()).toBe(false);
    run.controls.stop();
    expect(run.stopRequested()).toBe(true);
  });

  it('pause holds the gate until resumed; stop releases a paused run', async () => {
    const run = createRunControls();
    await run.gate(); // open
    expect(run.controls.togglePause()).toBe(true);
    let passed = false;
    const waiting = run.gate().then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(passed).toBe(false);
    run.controls.stop(); // a stopped run must not stay paused
    await waiting;
    expect(passed).toBe(true);
    expect(run.controls.togglePause()).toBe(true);
    expect(run.controls.togglePause()).toBe(false);
  });
});
