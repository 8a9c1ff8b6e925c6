/**
 * Who may open the training feed and how much a client may send (docs/ws-protocol.md, "Who may
 * connect" and "Misbehaving clients"): browser Origin (403), client cap (503), bad and excess
 * messages (error, then 1008), oversized frames (1009). Real clients on a real port 0; the rate
 * limit runs on an injected clock.
 */
import { Subject } from 'rxjs';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import type { TrainEvent } from '../../../src/core/events.ts';
import { startFeed } from '../../../src/streams/feed/wsFeed.ts';
import { scriptedRun } from '../../fixtures/scriptedRun.ts';
import { feedHarness } from './feedHarness.ts';
import { FeedTestClient, refusal } from './feedTestClient.ts';

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
const count = (c: FeedTestClient, type: string) => c.messages.filter((m) => m.type === type).length;
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

describe('startFeed: browser origins', () => {
  it('refuses a cross-site Origin with 403 and a body naming ws_origins; no snapshot leaks', async () => {
    const { events, f } = await feed();
    events.next(scriptedRun({ steps: 1 })[0]); // a run/start with the config: what a hijacking page would read
    const r = await refusal(f.url, { origin: 'https://evil.example' });
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/origin "https:\/\/evil\.example" may not open this training feed/);
    expect(r.body).toMatch(/ws_origins \(--ws-origins\)/);
    expect(r.body).toContain('* allows any');
    expect(f.stats()).toMatchObject({ clients: 0, refused: { origin: 1, token: 0, full: 0 } });
  });

  it('allows no Origin (monitor, scripts), its own origins, and the listed ones; refuses the rest', async () => {
    const { f } = await feed({ origins: 'https://dash.example:8443, http://localhost:3000' });
    const p = f.port;
    await client(f.url); // no Origin header
    for (const origin of [`http://127.0.0.1:${p}`, `http://localhost:${p}`, `https://localhost:${p}`, `http://[::1]:${p}`, 'https://dash.example:8443', 'http://LOCALHOST:3000']) {
      const c = await client(f.url, { origin });
      expect(c.messages[0].type, origin).toBe('snapshot');
    }
    for (const origin of ['http://127.0.0.1:8080', `http://evil.example:${p}`, 'https://dash.example', 'null', 'file://', 'garbage']) {
      expect((await refusal(f.url, { origin })).status, origin).toBe(403);
    }
  });

  it('`*` allows any origin', async () => {
    const { f } = await feed({ origins: '*' });
    expect((await client(f.url, { origin: 'https://evil.example' })).messages[0].type).toBe('snapshot');
  });

  it('a malformed ws_origins entry is a ConfigError naming it', async () => {
    for (const bad of ['evil.example', 'https://x.example/path', 'https://x.example?q=1', 'null']) {
      await expect(startFeed(new Subject<TrainEvent>(), { port: 0, origins: bad })).rejects.toThrow(ConfigError);
    }
    await expect(startFeed(new Subject<TrainEvent>(), { port: 0, origins: 'evil.example' })).rejects.toThrow(/ws_origins: "evil\.example" is not an origin; write scheme:\/\/host\[:port\]/);
  });

  it('checks the origin before the token', async () => {
    const { f } = await feed({ host: '0.0.0.0', token: 's3cret' });
    const url = `ws://127.0.0.1:${f.port}/`;
    expect((await refusal(url, { origin: 'https://evil.example', authorization: 'Bearer s3cret' })).status).toBe(403);
    const noToken = await refusal(url, { origin: `http://127.0.0.1:${f.port}` });
    expect(noToken.status).toBe(401);
    expect(noToken.headers['www-authenticate']).toBe('Bearer');
    await client(url, { origin: `http://localhost:${f.port}`, authorization: 'Bearer s3cret' });
  });
});

describe('startFeed: client cap', () => {
  it('refuses the client over ws_max_clients with 503 and Retry-After; a freed place is taken again', async () => {
    const { f } = await feed({ maxClients: 2 });
    const a = await client(f.url);
    await client(f.url);
    const r = await refusal(f.url);
    expect(r.status).toBe(503);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).toMatch(/this training feed is full: 2 clients connected \(ws_max_clients \(--ws-max-clients\)\); try again later/);
    expect((await fetch(`http://127.0.0.1:${f.port}/healthz`)).status).toBe(200); // HTTP is not capped
    a.close();
    await until(() => f.stats().clients === 1);
    await client(f.url);
    expect(f.stats()).toMatchObject({ clients: 2, refused: { full: 1 } });
  });
});

describe('startFeed: misbehaving clients', () => {
  it('answers each bad message with an error, and closes with 1008 at the fifth within the window', async () => {
    const { events, f } = await feed();
    const c = await client(f.url);
    const bystander = await client(f.url);
    for (let i = 0; i < 4; i++) c.send(`{bad ${i}`);
    c.send({ type: 'ping' }); // a good message in between: answered, not counted
    await c.waitFor((m) => m.type === 'pong');
    expect(count(c, 'error')).toBe(4);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.send({ type: 'launch' });
    const closed = await c.closed;
    expect(closed).toEqual({ code: 1008, reason: 'too many bad or excess messages' });
    const errors = c.messages.filter((m) => m.type === 'error').map((m) => m.message as string);
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/^message is not JSON/);
    expect(errors[4]).toMatch(/unknown message type "launch".*; closing the connection \(1008\): 5 bad or excess messages within 10 s$/);
    expect(c.invalid).toEqual([]);
    expect(f.stats().policyClosed).toBe(1);
    events.next(scriptedRun({ steps: 1 })[0]);
    await bystander.waitFor((m) => m.type === 'run/start');
  });

  it('forgets strikes older than the window (injected clock)', async () => {
    let t = 0;
    const { f } = await feed({ now: () => t, messageLimits: { strikes: 3, strikeWindowMs: 1000 } });
    const c = await client(f.url);
    c.send('x');
    c.send('y');
    await until(() => count(c, 'error') === 2);
    t = 1001;
    c.send('z');
    c.send('w');
    c.send({ type: 'ping' });
    await c.waitFor((m) => m.type === 'pong');
    expect(count(c, 'error')).toBe(4);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.send('v'); // the third within 1 s
    expect((await c.closed).code).toBe(1008);
  });

  it('rate-limits messages with a token bucket: excess ones get an error, persistent excess a 1008 (injected clock)', async () => {
    let t = 0;
    const { f } = await feed({ now: () => t, messageLimits: { burst: 3, perSecond: 1, strikes: 3, strikeWindowMs: 10_000 } });
    const c = await client(f.url);
    for (let i = 0; i < 4; i++) c.send({ type: 'ping' });
    await until(() => count(c, 'pong') === 3 && count(c, 'error') === 1);
    expect(c.messages.find((m) => m.type === 'error')!.message).toBe('rate limit: at most 1 messages/s (bursts of 3); this message was ignored');
    t = 2000; // two messages' worth refilled
    for (let i = 0; i < 2; i++) c.send({ type: 'ping' });
    await until(() => count(c, 'pong') === 5);
    t = 20_000; // bucket full again, the old strike out of the window
    for (let i = 0; i < 6; i++) c.send({ type: 'ping' });
    expect((await c.closed).code).toBe(1008);
    expect(count(c, 'pong')).toBe(8);
    expect(c.messages.filter((m) => m.type === 'error').map((m) => m.message).at(-1)).toMatch(/^rate limit: .*; closing the connection \(1008\)/);
  });

  it('closes a frame over maxPayload with 1009 (a close frame, not a dropped socket: 1006); others go on', async () => {
    const { events, f } = await feed(); // default maxPayload 64 KiB
    const c = await client(f.url);
    const bystander = await client(f.url);
    c.send('x'.repeat(4 << 20));
    expect((await c.closed).code).toBe(1009);
    events.next(scriptedRun({ steps: 1 })[0]);
    await bystander.waitFor((m) => m.type === 'run/start');
  });
});
