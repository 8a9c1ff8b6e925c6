import { describe, it, expect } from 'vitest';
import { Subject } from 'rxjs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { startFeed } from '../../../src/streams/feed/wsFeed.ts';
import type { TrainEvent } from '../../../src/core/events.ts';
import { scriptedRun } from '../../fixtures/scriptedRun.ts';
import { FeedTestClient } from './feedTestClient.ts';

/** Emits like a training loop: synchronous bursts with the event loop free between "steps". */
async function emitRun(events: Subject<TrainEvent>, run: readonly TrainEvent[]): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < run.length; i++) {
    events.next(run[i]);
    if (i % 20 === 19) await yieldToLoop();
  }
  return performance.now() - t0;
}

async function scenario(run: readonly TrainEvent[], withSlowClient: boolean) {
  const events = new Subject<TrainEvent>();
  const feed = await startFeed(events, { port: 0, maxQueue: 256 });
  const fast = await FeedTestClient.connect(feed.url);
  const slow = withSlowClient ? await FeedTestClient.connect(feed.url) : null;
  slow?.ws.pause(); // reads nothing until resumed
  const emitMs = await emitRun(events, run);
  await fast.waitFor((m) => m.type === 'run/end', 60_000);
  const stats = feed.stats();
  slow?.ws.resume();
  await slow?.waitFor((m) => m.type === 'run/end', 60_000);
  await feed.close();
  return { emitMs, stats, fast, slow };
}

describe('startFeed with a slow client', () => {
  it('skips events for a paused client, tells it, and does not slow the run', async () => {
    // ~20k events, ~7.5 MB of JSON per client: more than loopback socket buffers hold
    const run = scriptedRun({ steps: 20_000, evalEvery: 250, sampleEvery: 1000, checkpointEvery: 5000 });
    const bytes = run.reduce((n, e) => n + JSON.stringify(e).length, 0);
    const base = await scenario(run, false);
    const slowed = await scenario(run, true);
    const base2 = await scenario(run, false);

    // the fast client is unaffected: every event, in order
    expect(slowed.fast.events()).toEqual(run);
    expect(slowed.fast.invalid).toEqual([]);

    // the paused client got a prefix, then `lagged`, then events again (run/end never skipped)
    const slow = slowed.slow!;
    expect(slow.invalid).toEqual([]);
    const lagged = slow.messages.filter((m) => m.type === 'lagged');
    expect(lagged.length).toBeGreaterThan(0);
    const skipped = lagged.reduce((n, m) => n + m.skipped, 0);
    expect(slow.events().length + skipped).toBe(run.length);
    expect(slow.events().at(-1)).toEqual(run.at(-1));
    // delivered events are a subsequence of the run, in order
    const index = new Map(run.map((e, i) => [JSON.stringify(e), i]));
    const at = slow.events().map((e) => index.get(JSON.stringify(e)) ?? -1);
    expect(at.every((x, i) => x >= 0 && (i === 0 || x > at[i - 1]))).toBe(true);
    expect(slowed.stats.dropped).toBe(skipped);
    expect(slowed.stats.maxQueued).toBeLessThanOrEqual(256 + 2); // bounded queue (+ lagged, run/end)

    // generous sanity bound only: the run is not held up by the paused reader
    expect(slowed.emitMs).toBeLessThan(5 * Math.max(base.emitMs, base2.emitMs) + 1000);
    console.log(
      `[figures] ${run.length} events (${(bytes / 1e6).toFixed(1)} MB JSON): emit without slow client ${base.emitMs.toFixed(0)} / ${base2.emitMs.toFixed(0)} ms, ` +
        `with a paused client ${slowed.emitMs.toFixed(0)} ms; paused client skipped ${skipped} events in ${lagged.length} lagged notice(s), ` +
        `received ${slow.events().length}; max queue ${slowed.stats.maxQueued}`,
    );
  });
});
