import { describe, it, expect } from 'vitest';
import { EventEmitter } from 'node:events';
import { NEVER, Subject, concat, from } from 'rxjs';
import { renderTui } from '../../src/dashboard/renderTui.tsx';
import type { RunControls } from '../../src/core/controls.ts';
import type { TrainEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';

import { tick, waitFor } from './waitFor.ts';
const ANSI = /\u001B\[[0-9;?]*[A-Za-z]/g;

/** A terminal-like stdout that records what is written and can be resized. */
class FakeTerminal extends EventEmitter {
  columns = 100;
  rows = 50;
  isTTY = true;
  out = '';
  write(s: string) {
    this.out += s;
    return true;
  }
  /** Text written since `from`, escape codes removed. */
  textSince(from: number) {
    return this.out.slice(from).replace(ANSI, '');
  }
}

class FakeStdin extends EventEmitter {
  constructor(readonly isTTY: boolean) {
    super();
  }
  setEncoding() {}
  setRawMode() {}
  resume() {}
  pause() {}
  ref() {}
  unref() {}
  read() {
    return null;
  }
}

// ink writes only the last frame, and ignores resizes, when it believes it runs in CI.
const inCi = Boolean(process.env.CI && process.env.CI !== 'false') || 'CONTINUOUS_INTEGRATION' in process.env;

describe('renderTui', () => {
  it('exits by itself after the stream completes, the final frame on stdout', async () => {
    const term = new FakeTerminal();
    const ui = renderTui(from(scriptedRun({ steps: 50 })), { stdout: term as unknown as NodeJS.WriteStream, stdin: new FakeStdin(false) as unknown as NodeJS.ReadStream, throttleMs: 10 });
    await ui.waitUntilExit();
    const text = term.textSince(0);
    expect(text).toContain('50/50 (100.0%)');
    expect(text).toContain('run completed at step 50');
    expect(text).toContain('sample @ step 50');
  });

  it.skipIf(inCi)('redraws narrower after a resize (ink ignores resizes under CI)', async () => {
    const term = new FakeTerminal();
    const ui = renderTui(concat(from(scriptedRun({ steps: 200 }).slice(0, -1)), NEVER), { stdout: term as unknown as NodeJS.WriteStream, stdin: new FakeStdin(false) as unknown as NodeJS.ReadStream, throttleMs: 10 });
    const widest = (s: string) => Math.max(...s.split('\n').map((l) => l.length));
    await waitFor(() => widest(term.textSince(0)) > 90 && term.textSince(0).includes('train loss'));
    const mark = term.out.length;
    term.columns = 60;
    term.emit('resize');
    const lastFrame = () => {
      const all = term.textSince(mark);
      return all.slice(all.lastIndexOf('versiflow · tiny-test'));
    };
    await waitFor(() => lastFrame().includes('train loss') && widest(lastFrame()) <= 60);
    // ink first repaints the old tree itself; the last frame is ours, redrawn for 60 columns
    const all = term.textSince(mark);
    const after = all.slice(all.lastIndexOf('versiflow · tiny-test'));
    expect(after).toContain('train loss');
    expect(widest(after)).toBeLessThanOrEqual(60);
    ui.unmount();
    await ui.waitUntilExit();
  });

  it('ignores keys when stdin is not a TTY', async () => {
    const calls: string[] = [];
    const controls: RunControls = { stop: () => void calls.push('stop'), sampleNow: () => void calls.push('s'), togglePause: () => false };
    const stdin = new FakeStdin(false);
    const events = new Subject<TrainEvent>();
    const ui = renderTui(events, { stdout: new FakeTerminal() as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream, controls });
    await tick(20);
    stdin.emit('data', 'q');
    stdin.emit('readable');
    await tick(20);
    expect(calls).toEqual([]);
    events.complete();
    await ui.waitUntilExit();
  });

  it('unsubscribes from the events when unmounted', async () => {
    const events = new Subject<TrainEvent>();
    const ui = renderTui(events, { stdout: new FakeTerminal() as unknown as NodeJS.WriteStream, stdin: new FakeStdin(false) as unknown as NodeJS.ReadStream });
    await tick(20);
    expect(events.observed).toBe(true);
    ui.unmount();
    await ui.waitUntilExit();
    expect(events.observed).toBe(false);
  });
});
