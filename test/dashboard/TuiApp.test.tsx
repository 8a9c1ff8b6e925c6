import { describe, it, expect, afterEach } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { NEVER, Subject, concat, from } from 'rxjs';
import { TuiApp } from '../../src/dashboard/TuiApp.tsx';
import type { RunControls } from '../../src/core/controls.ts';
import type { TrainEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';

import { tick, waitFor } from './waitFor.ts';

/** Real RunControls that record what was asked of them. */
function recordingControls() {
  const calls: string[] = [];
  let paused = false;
  const controls: RunControls = {
    stop: () => void calls.push('stop'),
    sampleNow: () => void calls.push('sampleNow'),
    togglePause: () => {
      calls.push('togglePause');
      paused = !paused;
      return paused;
    },
  };
  return { calls, controls };
}

afterEach(() => cleanup());

describe('TuiApp', () => {
  it('draws header, progress with ETA, both charts with the best val loss, and the log', async () => {
    const events = new Subject<TrainEvent>();
    const ui = render(<TuiApp events$={events} throttleMs={20} />);
    const run = scriptedRun({ steps: 100 });
    // stop before step 100 so the ETA is not zero
    for (const e of run.filter((e) => e.step <= 80)) events.next(e);
    await waitFor(() => (ui.lastFrame() ?? '').includes('80/100 (80.0%)') && (ui.lastFrame() ?? '').includes('train loss'));
    const frame = ui.lastFrame()!;
    expect(frame).toContain('versiflow · tiny-test · 10.1M params · vocab 96 · wasm (2 threads, SIMD)');
    expect(frame).toContain('80/100 (80.0%)');
    expect(frame).toContain('ETA 2s'); // (100 - 80) steps × 100 ms
    expect(frame).toContain('20,000 tok/s');
    expect(frame).toContain('mem 52.0MB in 321 tensors · GPU pool 1.50GB');
    expect(frame).toContain('100 ms/step (host 25 ms, GPU 63%)');
    expect(frame).toContain('train loss');
    expect(frame).toMatch(/ 3\.\d{3} ┼/); // y label of the first loss point on the chart
    expect(frame).toContain('lr 3.00e-4');
    expect(frame).toContain('▲ best 0.6000 @ step 60');
    expect(frame).toContain('sample @ step 50');
    expect(frame).toContain('The moon over the quiet sea at step 50');
    expect(frame).toContain('warning: loss spike at step 30');
    expect(frame).toContain('checkpoint step 50 → runs/tiny-test/checkpoints/step-50');
  });

  it('prints each log line once, above the live region', async () => {
    const ui = render(<TuiApp events$={from(scriptedRun({ steps: 100 }))} throttleMs={20} />);
    await waitFor(() => (ui.lastFrame() ?? '').includes('run completed at step 100') && (ui.lastFrame() ?? '').includes('versiflow · tiny-test'));
    const frame = ui.lastFrame()!;
    expect(frame.match(/eval step 60 /g)).toHaveLength(1);
    expect(frame.match(/run completed at step 100/g)).toHaveLength(1);
    expect(frame.indexOf('run completed at step 100')).toBeLessThan(frame.indexOf('versiflow · tiny-test'));
  });

  it('renders once for a burst of events however many there are', async () => {
    const events = new Subject<TrainEvent>();
    const ui = render(<TuiApp events$={events} throttleMs={100} />);
    const framesBefore = ui.frames.length;
    for (const e of scriptedRun({ steps: 5000, evalEvery: 1000, sampleEvery: 10_000, checkpointEvery: 10_000 }).slice(0, -1)) events.next(e);
    await tick(250);
    // one flush for the whole synchronous burst (+ one immediate frame for the new <Static> lines)
    expect(ui.frames.length - framesBefore).toBeLessThanOrEqual(2);
    expect(ui.lastFrame()).toContain('5000/5000');
  });

  it('q calls controls.stop(), s sampleNow(), p togglePause() and shows PAUSED', async () => {
    const { calls, controls } = recordingControls();
    const ui = render(<TuiApp events$={new Subject<TrainEvent>()} controls={controls} />);
    await tick();
    ui.stdin.write('s');
    ui.stdin.write('p');
    await waitFor(() => (ui.lastFrame() ?? '').includes('PAUSED'));
    ui.stdin.write('q');
    await waitFor(() => (ui.lastFrame() ?? '').includes('stopping…'));
    expect(calls).toEqual(['sampleNow', 'togglePause', 'stop']);
    expect(ui.lastFrame()).toContain('stopping…');
  });

  it('? toggles the help overlay in place of the charts', async () => {
    const ui = render(<TuiApp events$={concat(from(scriptedRun({ steps: 10 }).slice(0, -1)), NEVER)} controls={recordingControls().controls} />);
    await waitFor(() => (ui.lastFrame() ?? '').includes('train loss'));
    ui.stdin.write('?');
    await waitFor(() => (ui.lastFrame() ?? '').includes('q  stop: finish the step, checkpoint, end the run'));
    expect(ui.lastFrame()).not.toContain('train loss');
    ui.stdin.write('?');
    await waitFor(() => (ui.lastFrame() ?? '').includes('train loss'));
  });
});
