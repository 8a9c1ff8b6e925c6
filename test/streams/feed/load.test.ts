/**
 * Load, functionally: 200 feed clients and 50 generation clients at once, one paused reader on each
 * server. Every other client gets everything it asked for, in order; the paused feed client is told it
 * lagged and the paused generation holds up no one; the run's emission finishes while both are still
 * paused (it never waits for a reader). Timing ratios are not asserted here: `npm run bench -- feed-load`.
 */
import { createHash } from 'node:crypto';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Subject } from 'rxjs';
import WebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import type { TrainEvent, TrainEventType } from '../../../src/core/events.ts';
import type { Token } from '../../../src/model/nn/generate.ts';
import { connectGenerate } from '../../../src/streams/feed/generateClient.ts';
import { startGenerateServer, type TokenSource } from '../../../src/streams/feed/generateServer.ts';
import { startFeed } from '../../../src/streams/feed/wsFeed.ts';
import { scriptedRun } from '../../fixtures/scriptedRun.ts';

const FEED_CLIENTS = 200;
/** Clients subscribed to everything (20 KB samples included); the other ones follow the curves only. */
const FULL = 10;
const LIGHT_TYPES: TrainEventType[] = ['run/start', 'train/step', 'eval', 'run/end'];
const GEN_CLIENTS = 50;
const GEN_TOKENS = 50;
const SLOW_TOKENS = 200;

/** A feed client that keeps only a running hash of what it got (200 of them parse ~100k messages). */
class CountingClient {
  events = 0;
  skipped = 0;
  lagged = 0;
  other = 0;
  private readonly hash = createHash('sha256');
  readonly ended: Promise<void>;
  readonly opened: Promise<void>;

  constructor(readonly ws: WebSocket) {
    let end!: () => void;
    this.ended = new Promise((r) => (end = r));
    this.opened = new Promise((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      const text = String(data);
      const m = JSON.parse(text) as { type: string; skipped?: number };
      if (m.type === 'snapshot') return;
      if (m.type === 'lagged') {
        this.lagged++;
        this.skipped += m.skipped!;
        return;
      }
      if (m.type === 'error' || m.type === 'pong' || m.type === 'subscribed') return void this.other++;
      this.events++;
      this.hash.update(text).update('\n');
      if (m.type === 'run/end') end();
    });
  }

  digest(): string {
    return this.hash.copy().digest('hex');
  }
}

function digestOf(events: readonly TrainEvent[]): string {
  const h = createHash('sha256');
  for (const e of events) h.update(JSON.stringify(e)).update('\n');
  return h.digest('hex');
}

/** Tokens for a prompt: "slow" streams SLOW_TOKENS of 64 KiB (more than socket buffers hold), others GEN_TOKENS short ones. */
const source: TokenSource = async function* (p): AsyncGenerator<Token> {
  const prompt = String(p);
  const slow = prompt === 'slow';
  const n = slow ? SLOW_TOKENS : GEN_TOKENS;
  for (let index = 0; index < n; index++) {
    produced.set(prompt, index + 1);
    yield { index, id: index, text: slow ? 'y'.repeat(64 * 1024) : `${prompt}:${index};`, logprob: -1, ...(index === n - 1 ? { finish: 'length' as const } : {}) };
  }
};
const produced = new Map<string, number>();

describe('load: 200 feed clients and 50 generation clients with a paused reader on each', () => {
  it('loses nothing for the others, lags only the paused feed client, and never holds up the run', async () => {
    // the run: 500 steps, a 20 KB sample each step (10 MB for a full client: past what loopback buffers hold)
    const run = scriptedRun({ steps: 500, evalEvery: 20, sampleEvery: 1, checkpointEvery: 250 }).map((e) =>
      e.type === 'sample' ? { ...e, text: `${e.text} ${'x'.repeat(20_000)}` } : e,
    );
    const light = run.filter((e) => LIGHT_TYPES.includes(e.type));

    const events = new Subject<TrainEvent>();
    const feed = await startFeed(events, { port: 0, maxClients: 256, maxQueue: 64 });
    const gen = await startGenerateServer(source, { port: 0, model: { vocabSize: 1, context: 8, watermark: null }, maxConcurrent: 8, maxQueued: 64, maxQueue: 16 });
    try {
      const feedClients = Array.from({ length: FEED_CLIENTS }, (_, i) => new CountingClient(new WebSocket(i < FULL ? feed.url : `${feed.url}?types=${LIGHT_TYPES.join(',')}`)));
      await Promise.all(feedClients.map((c) => c.opened));
      const pausedFeed = feedClients[0];
      pausedFeed.ws.pause();
      expect(feed.stats().clients).toBe(FEED_CLIENTS);

      const genClients = await Promise.all(Array.from({ length: GEN_CLIENTS }, () => connectGenerate(gen.url)));
      const pausedGen = genClients[0];
      const tcp = (pausedGen.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      tcp.pause();
      let slowTokens = 0;
      const slow = pausedGen.generate('slow', {}, () => slowTokens++);
      await new Promise((r) => setTimeout(r, 20)); // let "slow" take the first slot
      const texts = new Map<string, string>();
      const queuedNotices: number[] = [];
      const requests = genClients.slice(1).map((c, i) => {
        const prompt = `p${i}`;
        texts.set(prompt, '');
        return c.generate(prompt, {}, (t) => texts.set(prompt, texts.get(prompt)! + t.text), (q) => queuedNotices.push(q.position));
      });

      // the run emits like a training loop: one step's events at a time, the event loop free between steps
      const t0 = performance.now();
      let step = 0;
      for (const e of run) {
        events.next(e);
        if (e.type === 'train/step' && ++step % 5 === 0) await yieldToLoop();
      }
      const emitMs = performance.now() - t0;
      // emission is over while both paused readers are still paused: the run did not wait for them
      const fed = feed.stats();

      // every other feed client: everything it subscribed to, in order
      await Promise.all(feedClients.slice(1).map((c) => c.ended));
      for (const [i, c] of feedClients.entries()) {
        if (i === 0) continue;
        const want = i < FULL ? run : light;
        expect({ i, events: c.events, skipped: c.skipped, digest: c.digest() }).toEqual({ i, events: want.length, skipped: 0, digest: digestOf(want) });
      }
      // every other generation: all its tokens, though the paused one holds a slot
      const dones = await Promise.all(requests.map((r) => r.done));
      for (const [i, d] of dones.entries()) {
        expect(d).toMatchObject({ tokens: GEN_TOKENS, finish: 'length' });
        expect(texts.get(`p${i}`)).toBe(Array.from({ length: GEN_TOKENS }, (_, k) => `p${i}:${k};`).join(''));
      }
      expect(queuedNotices.length).toBeGreaterThan(0); // 49 requests for 7 free slots: most waited
      const producedWhilePaused = produced.get('slow')!;
      expect(producedWhilePaused).toBeLessThan(SLOW_TOKENS); // paused by its full queue, not buffered
      expect(gen.parked()).toBe(1); // and waiting without a slot: the others had all 8

      // the paused feed client lagged, and only it
      const stats = feed.stats();
      expect(stats.dropped).toBeGreaterThan(0);
      expect(stats.maxQueued).toBeLessThanOrEqual(64 + 2);
      pausedFeed.ws.resume();
      await pausedFeed.ended;
      expect(pausedFeed.lagged).toBeGreaterThan(0);
      expect(pausedFeed.events + pausedFeed.skipped).toBe(run.length);
      expect(pausedFeed.skipped).toBe(feed.stats().dropped);
      // the paused generation completes once read
      tcp.resume();
      expect((await slow.done).tokens).toBe(SLOW_TOKENS);
      expect(slowTokens).toBe(SLOW_TOKENS);

      console.log(
        `[figures] load: ${run.length} events to ${FEED_CLIENTS} feed clients (${FULL} full, 1 paused) emitted in ${emitMs.toFixed(0)} ms ` +
          `(${fed.sent} messages handed to sockets by then) while ${GEN_CLIENTS} generation clients streamed; paused feed client skipped ` +
          `${pausedFeed.skipped} events in ${pausedFeed.lagged} lagged notice(s); ${queuedNotices.length} queued notices; paused generation produced ` +
          `${producedWhilePaused} of ${SLOW_TOKENS} tokens before it was read`,
      );
      for (const c of feedClients) c.ws.terminate();
      for (const c of genClients) c.ws.terminate();
    } finally {
      await Promise.all([feed.close(), gen.close()]);
    }
  });
});
