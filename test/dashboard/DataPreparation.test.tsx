import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render } from 'ink-testing-library';
import { Subject } from 'rxjs';
import { DataPreparation } from '../../src/dashboard/components/DataPreparation.tsx';
import { TuiApp } from '../../src/dashboard/TuiApp.tsx';
import type { DataProgressEvent, TrainEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';
import { waitFor } from './waitFor.ts';

afterEach(() => cleanup());

// 3 of 12 MB read in 2 s by 4 workers: 1.5 MB/s, 20 000 rows → 10 000 rows/s, ETA 2·(1 − 0.25)/0.25 = 6 s
const live: DataProgressEvent = {
  type: 'data/progress', step: 0, time: 1_700_000_002_000, phase: 'tokenize', rows: 20_000, bytes: 3_000_000, totalBytes: 12_000_000,
  tokens: 1_234_567, elapsedS: 2, rowsPerSec: 10_000, mbPerSec: 1.5, etaS: 6, workers: 4, done: false,
};

describe('DataPreparation', () => {
  it('draws the bar over the bytes and the live figures: rows, tokens, rows/s, MB/s, ETA, workers', () => {
    const frame = render(<DataPreparation progress={live} width={60} />).lastFrame()!;
    const [bar, figures] = frame.split('\n');
    // the counter " 3.0/12.0 MB (25.0%)" is 20 wide: a 38-cell bar, round(0.25·38) = 10 filled
    expect(bar).toBe(`${'█'.repeat(10)}${'░'.repeat(28)} 3.0/12.0 MB (25.0%)`);
    expect(figures).toBe('tokenizing: 20,000 rows · 1,234,567 tokens · 10,000 rows/s · 1.5 MB/s · ETA 6s · 4 workers');
  });

  it('the vocabulary pass in one thread, ETA unknown yet', () => {
    const frame = render(<DataPreparation progress={{ ...live, phase: 'vocab', tokens: 0, workers: 1, etaS: Number.NaN, bytes: 0 }} width={60} />).lastFrame()!;
    expect(frame).toContain(`${'░'.repeat(38)} 0.0/12.0 MB (0.0%)`);
    expect(frame).toContain('reading the vocabulary: 20,000 rows · 10,000 rows/s · 1.5 MB/s · ETA ? · 1 thread');
  });

  it('shows in the TUI until run/start, then the training progress takes its place', async () => {
    const events = new Subject<TrainEvent>();
    const ui = render(<TuiApp events$={events} throttleMs={20} />);
    events.next(live);
    await waitFor(() => (ui.lastFrame() ?? '').includes('tokenizing: 20,000 rows'));
    expect(ui.lastFrame()).not.toContain('no training step yet');
    const [start] = scriptedRun({ steps: 10 });
    events.next(start);
    await waitFor(() => (ui.lastFrame() ?? '').includes('no training step yet'));
    expect(ui.lastFrame()).not.toContain('tokenizing: 20,000 rows');
  });
});
