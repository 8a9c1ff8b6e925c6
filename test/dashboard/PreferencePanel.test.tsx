import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { Subject } from 'rxjs';
import { TuiApp } from '../../src/dashboard/TuiApp.tsx';
import type { TrainEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';
import { waitFor } from './waitFor.ts';

afterEach(() => cleanup());

describe('TuiApp in a preference run', () => {
  it('shows the preference panel: progress, loss, margin with its parts, log-ratio, z_ref, validation accuracy and quality', async () => {
    const events = new Subject<TrainEvent>();
    const ui = render(<TuiApp events$={events} throttleMs={20} />);
    const [start, ...rest] = scriptedRun({ steps: 60, prefEvery: 30 });
    events.next(start);
    for (const e of rest.filter((e) => e.type === 'pref/step' || e.type === 'eval/pref')) events.next(e);
    await waitFor(() => (ui.lastFrame() ?? '').includes('kto 60/60'));
    const frame = ui.lastFrame()!;
    expect(frame).toContain('kto 60/60 (100.0%)');
    expect(frame).toContain('loss 0.4400 · margin 1.200 (chosen 0.600 / rejected -0.600)');
    expect(frame).toContain('log-ratio -0.060/token · z_ref -0.060');
    expect(frame).toContain('val accuracy 0.750 (8 pairs, step 60) · quality 0.500 (loops 0.25, completed 1.00)');
    expect(frame).toContain('pref eval step 30 | accuracy 0.750 on 8 pairs');
    expect(frame).not.toContain('no training step yet');
  });
});
