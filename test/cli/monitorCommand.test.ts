import { describe, it, expect } from 'vitest';
import { monitorCommand } from '../../src/cli/monitorCommand.ts';
import { formatEvent } from '../../src/dashboard/formatEvent.ts';
import type { FeedHandle } from '../../src/streams/feed/wsFeed.ts';
import type { TrainEvent } from '../../src/core/events.ts';
import { scriptedRun } from '../fixtures/scriptedRun.ts';
import { feedHarness } from '../streams/feed/feedHarness.ts';

class Sink {
  text = '';
  write(s: string) {
    this.text += s;
  }
}
const feed = feedHarness();
async function connected(f: FeedHandle, n = 1) {
  while (f.stats().clients < n) await new Promise((r) => setTimeout(r, 5));
}
const lines = (events: readonly TrainEvent[]) => events.map((e) => `${formatEvent(e)}\n`).join('');

describe('monitorCommand', () => {
  it('prints every event like the plain reporter and exits 0 at run/end', async () => {
    const { events, f } = await feed();
    const out = new Sink();
    const err = new Sink();
    const done = monitorCommand([f.url], { stdout: out, stderr: err });
    await connected(f);
    const run = scriptedRun({ steps: 40 });
    for (const e of run) events.next(e);
    expect(await done).toBe(0);
    expect(out.text).toBe(lines(run));
    expect(err.text).toBe('');
  });

  it('--types shows only those types, and the run/end', async () => {
    const { events, f } = await feed();
    const out = new Sink();
    const done = monitorCommand([f.url, '--types', 'eval,sample'], { stdout: out, stderr: new Sink() });
    await connected(f);
    const run = scriptedRun({ steps: 60 });
    for (const e of run) events.next(e);
    expect(await done).toBe(0);
    expect(out.text).toBe(lines(run.filter((e) => e.type === 'eval' || e.type === 'sample' || e.type === 'run/end')));
  });

  it('exits 0 when the server closes', async () => {
    const { events, f } = await feed();
    const out = new Sink();
    const done = monitorCommand([f.url], { stdout: out, stderr: new Sink() });
    await connected(f);
    events.next(scriptedRun({ steps: 1 })[0]);
    await new Promise((r) => setTimeout(r, 30));
    await f.close();
    expect(await done).toBe(0);
    expect(out.text).toContain('run tiny-test: 10,123,456 parameters');
  });

  it('prints the start and end from the snapshot when the run is already over', async () => {
    const { events, f } = await feed();
    const run = scriptedRun({ steps: 20 });
    for (const e of run) events.next(e);
    const out = new Sink();
    expect(await monitorCommand([f.url], { stdout: out, stderr: new Sink() })).toBe(0);
    expect(out.text).toBe(lines([run[0], run.at(-1)!]));
  });

  it('uses --token, and explains a refusal', async () => {
    const { events, f } = await feed({ token: 'tok' });
    const err = new Sink();
    expect(await monitorCommand([f.url], { stdout: new Sink(), stderr: err })).toBe(1);
    expect(err.text).toMatch(/refused the connection \(401\): pass the run's ws_token with --token\n$/);
    const out = new Sink();
    const done = monitorCommand([f.url, '--token=tok'], { stdout: out, stderr: new Sink() });
    await connected(f);
    for (const e of scriptedRun({ steps: 5 })) events.next(e);
    expect(await done).toBe(0);
    expect(out.text).toContain('run completed at step 5');
  });

  it('fails with 1 when nothing listens, 2 on bad arguments', async () => {
    const { f } = await feed();
    const port = f.port;
    await f.close();
    const err = new Sink();
    expect(await monitorCommand([`ws://127.0.0.1:${port}`], { stdout: new Sink(), stderr: err })).toBe(1);
    expect(err.text).toMatch(/cannot connect to ws:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    for (const args of [[], ['http://x'], ['ws://x', '--types', 'evil'], ['ws://x', '--bogus'], ['ws://x', '--token']]) {
      const e = new Sink();
      expect(await monitorCommand(args, { stdout: new Sink(), stderr: e }), args.join(' ')).toBe(2);
      expect(e.text).toMatch(/^monitor: .+\nusage: versiflow monitor/);
    }
  });

  it('stops on abort (Ctrl+C) with 0', async () => {
    const { f } = await feed();
    const ac = new AbortController();
    const done = monitorCommand([f.url], { stdout: new Sink(), stderr: new Sink(), signal: ac.signal });
    await connected(f);
    ac.abort();
    expect(await done).toBe(0);
  });
});

describe('monitorCommand with non-finite numbers', () => {
  it('prints a NaN loss that crossed the wire as null', async () => {
    const { events, f } = await feed();
    const out = new Sink();
    const err = new Sink();
    const done = monitorCommand([f.url, '--types', 'train/step'], { stdout: out, stderr: err });
    await connected(f);
    const [, step] = scriptedRun({ steps: 1 });
    events.next({ ...step, loss: NaN } as TrainEvent);
    events.next({ type: 'run/end', step: 1, time: 1, reason: 'error', elapsedS: 1, finalLoss: NaN, message: 'loss diverged' });
    expect(await done).toBe(0);
    expect(out.text).toContain('step 1/1 | epoch 1.00 | loss NaN |');
    expect(out.text).toContain('run error at step 1 after 1s | loss diverged');
    expect(err.text).toBe('');
  });
});
