import { describe, it, expect, afterEach } from 'vitest';
import { Subject } from 'rxjs';
import { request } from 'node:http';
import WebSocket from 'ws';
import { startFeed } from '../../../src/streams/feed/wsFeed.ts';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { EVENT_TYPES, type TrainEvent } from '../../../src/core/events.ts';
import { scriptedRun } from '../../fixtures/scriptedRun.ts';
import { feedHarness } from './feedHarness.ts';
import { FeedTestClient, refusedStatus } from './feedTestClient.ts';

// after-hooks run last-registered first: clients are terminated, then the feeds closed
const feed = feedHarness();
const clients: FeedTestClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.ws.terminate();
});
async function client(url: string, headers?: Record<string, string>) {
  const c = await FeedTestClient.connect(url, headers);
  clients.push(c);
  return c;
}
const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe('startFeed', () => {
  it('sends a snapshot on connect: run, last N per type, downsampled curves', async () => {
    const { events, f } = await feed({ snapshotSize: 3 });
    const empty = await client(f.url);
    expect(empty.messages[0]).toMatchObject({ type: 'snapshot', step: 0, run: null, last: {}, loss: [], valLoss: [] });

    const run = scriptedRun({ steps: 3000, evalEvery: 100 });
    for (const e of run.slice(0, -1)) events.next(e);
    const c = await client(f.url);
    const snap = c.messages[0];
    expect(snap.type).toBe('snapshot');
    expect(snap.step).toBe(3000);
    expect(snap.run).toEqual(run[0]);
    expect(snap.last.eval.map((e: TrainEvent) => e.step)).toEqual([2800, 2900, 3000]);
    expect(snap.last['train/step']).toHaveLength(3);
    expect(snap.last['run/end']).toBeUndefined();
    expect(snap.loss.length).toBeLessThanOrEqual(1000);
    expect(snap.loss.length).toBeGreaterThan(400);
    expect(snap.loss.at(-1)[0]).toBe(3000);
    expect(snap.valLoss).toHaveLength(30);
    expect(snap.valLoss[5]).toEqual([600, 4 / 61 + 0.5]);
    expect(c.invalid).toEqual([]);
    expect(empty.invalid).toEqual([]);
  });

  it('filters by ?types= and by subscribe / unsubscribe messages', async () => {
    const { events, f } = await feed();
    const c = await client(`${f.url}?types=eval`);
    const run = scriptedRun({ steps: 100 });
    for (const e of run.filter((e) => e.step <= 50)) events.next(e);
    c.send({ type: 'subscribe', types: ['sample'] });
    expect((await c.waitFor((m) => m.type === 'subscribed')).types).toEqual(['eval', 'sample']);
    c.send({ type: 'unsubscribe', types: ['eval'] });
    await c.waitFor((m) => m.type === 'subscribed' && m.types.length === 1);
    for (const e of run.filter((e) => e.step > 50)) events.next(e);
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    // evals at 20, 40 before; samples at 100 after (the sample at 50 came before the subscribe)
    expect(c.events().map((e) => `${e.type}@${e.step}`)).toEqual(['eval@20', 'eval@40', 'sample@100']);
    expect(c.invalid).toEqual([]);
  });

  it('delivers every event of a short run, in order, to 100 concurrent clients', async () => {
    const { events, f } = await feed({ maxClients: 128 });
    const many = await Promise.all(Array.from({ length: 100 }, () => client(f.url)));
    expect(f.stats().clients).toBe(100);
    const run = scriptedRun({ steps: 200 });
    const t0 = performance.now();
    for (const e of run) events.next(e);
    const emitMs = performance.now() - t0;
    await Promise.all(many.map((c) => c.waitFor((m) => m.type === 'run/end')));
    const deliveredMs = performance.now() - t0;
    for (const c of many) {
      expect(c.events()).toEqual(run);
      expect(c.invalid).toEqual([]);
    }
    const s = f.stats();
    expect(s.dropped).toBe(0);
    expect(s.sent).toBe(100 * (run.length + 1)); // + each snapshot
    console.log(`[figures] 100 clients × ${run.length} events: emit loop ${emitMs.toFixed(1)} ms, all delivered after ${deliveredMs.toFixed(1)} ms`);
  });

  it('answers garbage with error messages and keeps serving', async () => {
    // strikes raised: this test is about the answers (wsFeed.hardening.test.ts closes after 5)
    const { events, f } = await feed({ maxPayload: 1024, messageLimits: { strikes: 100 } });
    const c = await client(f.url);
    const bystander = await client(f.url);
    c.send('not json {');
    c.send({ hello: 1 });
    c.send({ type: 'subscribe', types: ['evals'] });
    c.send({ type: 'subscribe', types: [] });
    c.send({ type: 'launch' });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    c.send('null');
    c.send('[1,2]');
    await tick(50);
    const errors = c.messages.filter((m) => m.type === 'error').map((m) => m.message as string);
    expect(errors).toHaveLength(8);
    expect(errors[0]).toMatch(/^message is not JSON/);
    expect(errors[2]).toMatch(/unknown event type "evals"; known: run\/start/);
    expect(errors[4]).toMatch(/unknown message type "launch"/);
    expect(errors[5]).toMatch(/binary frames/);
    // a frame over maxPayload closes that connection (1009), the others go on
    c.send('x'.repeat(2000));
    expect((await c.closed).code).toBe(1009);
    const [start] = scriptedRun({ steps: 1 });
    events.next(start);
    await bystander.waitFor((m) => m.type === 'run/start');
    expect(c.invalid).toEqual([]);
  });

  it('refuses a non-loopback host without a token', async () => {
    await expect(startFeed(new Subject<TrainEvent>(), { port: 0, host: '0.0.0.0' })).rejects.toThrow(ConfigError);
    await expect(startFeed(new Subject<TrainEvent>(), { port: 0, host: '0.0.0.0' })).rejects.toThrow(/ws_token is empty/);
  });

  it('on a token-protected host, accepts ?token= or Bearer and refuses the rest with 401', async () => {
    const { events, f } = await feed({ host: '0.0.0.0', token: 's3cret' });
    const base = `ws://127.0.0.1:${f.port}/`;
    expect(await refusedStatus(base)).toBe(401);
    expect(await refusedStatus(`${base}?token=wrong`)).toBe(401);
    expect(await refusedStatus(base, { authorization: 'Bearer s3cre' })).toBe(401);
    const byQuery = await client(`${base}?token=s3cret`);
    const byHeader = await client(base, { authorization: 'Bearer s3cret' });
    events.next(scriptedRun({ steps: 1 })[0]);
    await byQuery.waitFor((m) => m.type === 'run/start');
    await byHeader.waitFor((m) => m.type === 'run/start');
    const http = `http://127.0.0.1:${f.port}`;
    expect((await fetch(`${http}/metrics`)).status).toBe(401);
    expect((await fetch(`${http}/metrics`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${http}/healthz`)).status).toBe(200);
  });

  it('serves /metrics in Prometheus format and /healthz over HTTP', async () => {
    const { events, f } = await feed();
    const http = `http://127.0.0.1:${f.port}`;
    const before = await (await fetch(`${http}/metrics`)).text();
    expect(before).toContain('# TYPE versiflow_val_loss gauge');
    expect(before).not.toMatch(/^versiflow_val_loss/m);
    for (const e of scriptedRun({ steps: 100 })) events.next(e);
    const res = await fetch(`${http}/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    for (const name of ['versiflow_step', 'versiflow_loss', 'versiflow_val_loss', 'versiflow_lr', 'versiflow_tokens_per_second', 'versiflow_memory_bytes', 'versiflow_gpu_pool_bytes', 'versiflow_host_ms_per_step', 'versiflow_gpu_busy_ratio']) {
      expect(body).toContain(`# HELP ${name} `);
      expect(body).toContain(`# TYPE ${name} gauge`);
    }
    const value = (name: string) => Number(new RegExp(`^${name}\\{run="tiny-test"\\} (\\S+)$`, 'm').exec(body)?.[1]);
    expect(value('versiflow_step')).toBe(100);
    expect(value('versiflow_loss')).toBeCloseTo(4 / 11, 12);
    expect(value('versiflow_val_loss')).toBeCloseTo(4 / 11 + 0.5, 12);
    expect(value('versiflow_lr')).toBe(3e-4);
    expect(value('versiflow_tokens_per_second')).toBe(20_000);
    expect(value('versiflow_memory_bytes')).toBe(52_000_000);
    expect(value('versiflow_gpu_pool_bytes')).toBe(1_500_000_000);
    expect(value('versiflow_gpu_busy_ratio')).toBe(0.625);
    // every non-comment line is `name{labels} number`
    for (const line of body.trim().split('\n').filter((l) => !l.startsWith('#'))) expect(line).toMatch(/^[a-z_]+(\{[^}]*\})? \S+$/);

    const health = await fetch(`${http}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', step: 100, clients: 0 });
    expect((await fetch(`${http}/nope`)).status).toBe(404);
    expect((await fetch(`${http}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('refuses HTTP requests that name a foreign host (DNS rebinding) with 421', async () => {
    const { f } = await feed();
    const get = (host: string) =>
      new Promise<number>((resolve, reject) => {
        request({ host: '127.0.0.1', port: f.port, path: '/metrics', headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    expect(await get(`evil.example:${f.port}`)).toBe(421);
    expect(await get(`localhost:${f.port}`)).toBe(200);
  });

  it('terminates clients that stop answering pings, keeps the live ones', async () => {
    const { f } = await feed({ heartbeatMs: 40 });
    const dead = await client(f.url);
    const live = await client(f.url);
    dead.ws.pause(); // stops reading: pings go unanswered
    while (f.stats().terminated === 0) await tick(20);
    dead.ws.resume();
    expect((await dead.closed).code).toBe(1006); // cut off, no close frame
    await tick(200); // five more heartbeats
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
    expect(f.stats()).toMatchObject({ clients: 1, terminated: 1 });
  });

  it('close() unsubscribes, sends clients 1001 and frees the port', async () => {
    const { events, f } = await feed();
    const c = await client(f.url);
    expect(events.observed).toBe(true);
    await f.close();
    expect(events.observed).toBe(false);
    expect((await c.closed).code).toBe(1001);
    const again = await startFeed(new Subject<TrainEvent>(), { port: f.port });
    await again.close();
  });

  it('reports a busy port as a ConfigError', async () => {
    const { f } = await feed();
    await expect(startFeed(new Subject<TrainEvent>(), { port: f.port })).rejects.toThrow(/ws_port \d+ on ws_host 127\.0\.0\.1 cannot be bound \(EADDRINUSE\)/);
  });

  it('rejects unknown ?types= with an error and close code 1008', async () => {
    const { f } = await feed();
    const ws = new WebSocket(`${f.url}?types=eval,evil`);
    const c = new FeedTestClient(ws);
    expect((await c.closed).code).toBe(1008);
    expect(c.messages[0].message).toMatch(/unknown event type "evil"/);
    expect(EVENT_TYPES).toContain('eval');
  });
});
