/**
 * `versiflow serve`'s server under rules (docs/generate-protocol.md, "Limits" and "Who may connect"):
 * token and Origin on upgrade, client cap, prompt and max_new_tokens bounds, concurrent generations
 * with an ordered, bounded queue, bad and excess messages, oversized frames. Real clients on port 0; the
 * token source is scripted, so a test decides when each generation ends.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import type { Token } from '../../../src/model/nn/generate.ts';
import { connectGenerate, type GenerateConnection } from '../../../src/streams/feed/generateClient.ts';
import type { GenerateServerMessage } from '../../../src/streams/feed/generateProtocol.ts';
import { type GenerateServerHandle, type GenerateServerOptions, startGenerateServer, type TokenSource } from '../../../src/streams/feed/generateServer.ts';

const MODEL = { vocabSize: 10, context: 8, watermark: null };
const handles: GenerateServerHandle[] = [];
const conns: GenerateConnection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.ws.terminate();
  await Promise.all(handles.splice(0).map((h) => h.close()));
});
const until = async (cond: () => boolean) => {
  while (!cond()) await new Promise((r) => setTimeout(r, 5));
};

/** A source whose generation for prompt P yields one token when the test calls release(P). */
function gatedSource() {
  const started: string[] = [];
  const gates = new Map<string, () => void>();
  const source: TokenSource = async function* (p): AsyncGenerator<Token> {
    const prompt = String(p);
    started.push(prompt);
    await new Promise<void>((r) => gates.set(prompt, r));
    yield { index: 0, id: 1, text: prompt, logprob: -1, finish: 'length' };
  };
  const release = async (p: string) => {
    await until(() => gates.has(p));
    gates.get(p)!();
  };
  return { source, started, release };
}

const oneToken: TokenSource = async function* (prompt) {
  yield { index: 0, id: 1, text: String(prompt), logprob: -1, finish: 'length' };
};

async function serve(source: TokenSource, opts: Partial<GenerateServerOptions> = {}) {
  const h = await startGenerateServer(source, { port: 0, model: MODEL, ...opts });
  handles.push(h);
  return h;
}
async function connect(url: string, o?: Parameters<typeof connectGenerate>[1]) {
  const c = await connectGenerate(url, o);
  conns.push(c);
  return c;
}

/** A raw socket recording every server message. */
async function raw(url: string) {
  const ws = new WebSocket(url);
  const msgs: GenerateServerMessage[] = [];
  ws.on('message', (d) => msgs.push(JSON.parse(String(d))));
  const closed = new Promise<{ code: number; reason: string }>((r) => ws.on('close', (code, reason) => r({ code, reason: String(reason) })));
  await new Promise((r) => ws.once('open', r));
  await until(() => msgs.length > 0); // hello
  return { ws, msgs, closed, errors: () => msgs.filter((m) => m.type === 'error').map((m) => (m as { message: string }).message) };
}

describe('startGenerateServer: who may connect', () => {
  it('requires a token on a non-loopback host', async () => {
    await expect(startGenerateServer(oneToken, { port: 0, host: '0.0.0.0', model: MODEL })).rejects.toThrow(ConfigError);
    await expect(startGenerateServer(oneToken, { port: 0, host: '0.0.0.0', model: MODEL })).rejects.toThrow(/serve: --host 0\.0\.0\.0 can be reached from other machines, but no --token is set/);
  });

  it('with a token: 401 without it or with a wrong one; Bearer or ?token= gets in', async () => {
    const h = await serve(oneToken, { host: '0.0.0.0', token: 's3cret' });
    const url = `ws://127.0.0.1:${h.port}/`;
    await expect(connectGenerate(url)).rejects.toThrow(/refused the connection \(HTTP 401\): unauthorized: send Authorization: Bearer <serve --token>/);
    await expect(connectGenerate(url, { token: 's3cre' })).rejects.toThrow(/HTTP 401/);
    const a = await connect(url, { token: 's3cret' });
    const b = await connect(`${url}?token=s3cret`);
    expect((await a.generate('hi', {}, () => undefined).done).tokens).toBe(1);
    expect((await b.generate('hi', {}, () => undefined).done).tokens).toBe(1);
  });

  it('refuses a cross-site Origin with 403 naming --origins; allows its own and listed origins', async () => {
    const h = await serve(oneToken, { origins: ['https://chat.example'] });
    await expect(connectGenerate(h.url, { headers: { origin: 'https://evil.example' } })).rejects.toThrow(
      /HTTP 403\): origin "https:\/\/evil\.example" may not open this generation server.*add the origin to serve --origins/,
    );
    await connect(h.url, { headers: { origin: `http://localhost:${h.port}` } });
    await connect(h.url, { headers: { origin: 'https://chat.example' } });
    await connect(h.url);
  });

  it('refuses the client over --max-clients with 503', async () => {
    const h = await serve(oneToken, { maxClients: 1 });
    const a = await connect(h.url);
    await expect(connectGenerate(h.url)).rejects.toThrow(/HTTP 503\): this generation server is full: 1 clients connected \(serve --max-clients\); try again later/);
    a.close();
    await until(() => h.clients() === 0);
    await connect(h.url);
  });
});

describe('startGenerateServer: request limits', () => {
  it('says its limits in hello', async () => {
    const h = await serve(oneToken, { maxConcurrent: 3, maxQueued: 5, maxNewTokens: 100 });
    const c = await connect(h.url);
    expect(c.hello).toEqual({ type: 'hello', protocol: 2, model: MODEL, limits: { maxPromptTokens: 8, maxNewTokens: 100, maxConcurrent: 3, maxQueued: 5 } });
  });

  it('refuses a prompt over the model context and a maxNewTokens over the server limit, naming the limit', async () => {
    const h = await serve(oneToken, { maxNewTokens: 100, countTokens: (p) => p.length });
    const c = await connect(h.url);
    await expect(c.generate('x'.repeat(9), {}, () => undefined).done).rejects.toThrow("server: prompt is 9 tokens; the limit is 8 tokens (the model's context): shorten it");
    await expect(c.generate('x'.repeat(9000), {}, () => undefined).done).rejects.toThrow(/prompt is 9000 characters; the limit is 8 tokens/);
    await expect(c.generate('ok', { maxNewTokens: 101 }, () => undefined).done).rejects.toThrow(
      "server: options.maxNewTokens 101 is over this server's limit of 100 (serve --max-new-tokens-limit); ask for at most 100",
    );
    expect((await c.generate('x'.repeat(8), { maxNewTokens: 100 }, () => undefined).done).tokens).toBe(1);
  });

  it('runs at most maxConcurrent at once; the rest wait in order, told their position; beyond maxQueued, busy', async () => {
    const g = gatedSource();
    const h = await serve(g.source, { maxConcurrent: 1, maxQueued: 2 });
    const [a, b, c] = await Promise.all([connect(h.url), connect(h.url), connect(h.url)]);
    const queued: Record<string, number[]> = { p2: [], p3: [] };
    const r1 = a.generate('p1', {}, () => undefined);
    await until(() => h.active() === 1);
    const r2 = b.generate('p2', {}, () => undefined, (q) => queued.p2.push(q.position));
    await until(() => queued.p2.length === 1);
    const r3 = a.generate('p3', {}, () => undefined, (q) => queued.p3.push(q.position));
    await until(() => queued.p3.length === 1);
    await expect(c.generate('p4', {}, () => undefined).done).rejects.toThrow(/server busy: 1 generation\(s\) running and 2 waiting \(serve --max-concurrent 1, --max-queued 2\); try again later/);
    expect(g.started).toEqual(['p1']);
    await g.release('p1');
    expect((await r1.done).tokens).toBe(1);
    await until(() => g.started.length === 2);
    await g.release('p2');
    await r2.done;
    await g.release('p3');
    await r3.done;
    expect(g.started).toEqual(['p1', 'p2', 'p3']);
    expect(queued).toEqual({ p2: [1], p3: [2, 1] });
    expect([h.active(), h.queued()]).toEqual([0, 0]);
  });

  it('cancelling a queued request ends it at once (0 tokens) and moves the others up; a disconnect leaves the queue', async () => {
    const g = gatedSource();
    const h = await serve(g.source, { maxConcurrent: 1 });
    const [a, b, c] = await Promise.all([connect(h.url), connect(h.url), connect(h.url)]);
    const r1 = a.generate('p1', {}, () => undefined);
    await until(() => h.active() === 1);
    const r2 = b.generate('p2', {}, () => undefined);
    await until(() => h.queued() === 1);
    c.generate('p3', {}, () => undefined).done.catch(() => undefined);
    const positions: number[] = [];
    const r4 = a.generate('p4', {}, () => undefined, (q) => positions.push(q.position));
    await until(() => positions.length === 1);
    expect(positions).toEqual([3]);
    b.cancel(r2.id);
    expect(await r2.done).toMatchObject({ tokens: 0, finish: 'cancelled' });
    await until(() => positions.length === 2);
    c.close();
    await until(() => positions.length === 3);
    expect(positions).toEqual([3, 2, 1]);
    await g.release('p1');
    await r1.done;
    await g.release('p4');
    await r4.done;
    expect(g.started).toEqual(['p1', 'p4']);
  });
});

describe('startGenerateServer: a client that stops reading', () => {
  it('gives up its slot while its queue is full, so the others run; takes one back when read', async () => {
    const big: TokenSource = async function* (prompt) {
      const n = prompt === 'slow' ? 200 : 3;
      for (let index = 0; index < n; index++) yield { index, id: 1, text: prompt === 'slow' ? 'y'.repeat(64 * 1024) : 't', logprob: -1, ...(index === n - 1 ? { finish: 'length' as const } : {}) };
    };
    const h = await serve(big, { maxConcurrent: 1, maxQueue: 4, highWaterBytes: 64 * 1024 });
    const [slow, other] = await Promise.all([connect(h.url), connect(h.url)]);
    const tcp = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    let slowTokens = 0;
    const s = slow.generate('slow', {}, () => slowTokens++);
    await until(() => h.parked() === 1);
    expect(h.active()).toBe(0);
    const queued: number[] = [];
    expect((await other.generate('fast', {}, () => undefined, (q) => queued.push(q.position)).done).tokens).toBe(3);
    expect(queued).toEqual([]); // it never waited: the only slot was free
    tcp.resume();
    expect((await s.done).tokens).toBe(200);
    expect(slowTokens).toBe(200);
    expect([h.active(), h.parked(), h.queued()]).toEqual([0, 0, 0]);
  });
});

describe('startGenerateServer: misbehaving clients', () => {
  it('answers bad messages with errors and closes with 1008 at the fifth', async () => {
    const h = await serve(oneToken);
    const c = await raw(h.url);
    c.ws.send('{nope');
    c.ws.send('[]');
    c.ws.send(JSON.stringify({ type: 'generate', id: 'a', prompt: 1 }));
    c.ws.send(JSON.stringify({ type: 'generate', id: 'b', prompt: 'p', options: { topk: 1 } }));
    c.ws.send(JSON.stringify({ type: 'generate', id: 'ok', prompt: 'p' })); // good: served, not counted
    await until(() => c.msgs.some((m) => m.type === 'done'));
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.ws.send(JSON.stringify({ type: 'launch', id: 'z' }));
    expect(await c.closed).toEqual({ code: 1008, reason: 'too many bad or excess messages' });
    const errors = c.errors();
    expect(errors).toHaveLength(5);
    expect(errors[0]).toMatch(/^not JSON/);
    expect(errors[4]).toMatch(/unknown message type "launch".*; closing the connection \(1008\): 5 bad or excess messages within 10 s$/);
  });

  it('rate-limits messages (injected clock)', async () => {
    let t = 0;
    const h = await serve(oneToken, { now: () => t, messageLimits: { burst: 2, perSecond: 1, strikes: 2 } });
    const c = await raw(h.url);
    for (const id of ['1', '2', '3']) c.ws.send(JSON.stringify({ type: 'generate', id, prompt: 'p' }));
    await until(() => c.msgs.filter((m) => m.type === 'done').length === 2 && c.errors().length === 1);
    expect(c.errors()[0]).toBe('rate limit: at most 1 messages/s (bursts of 2); this message was ignored');
    t = 1000;
    c.ws.send(JSON.stringify({ type: 'generate', id: '4', prompt: 'p' })); // one message's worth refilled
    await until(() => c.msgs.filter((m) => m.type === 'done').length === 3);
    c.ws.send(JSON.stringify({ type: 'generate', id: '5', prompt: 'p' })); // excess again: the second strike
    expect((await c.closed).code).toBe(1008);
    expect(c.msgs.filter((m) => m.type === 'done').map((m) => (m as { id: string }).id)).toEqual(['1', '2', '4']);
  });

  it('closes a frame over maxPayload (1 MiB) with 1009, others go on', async () => {
    const h = await serve(oneToken);
    const c = await raw(h.url);
    const other = await connect(h.url);
    c.ws.send('x'.repeat(2 << 20));
    expect((await c.closed).code).toBe(1009);
    expect((await other.generate('p', {}, () => undefined).done).tokens).toBe(1);
  });
});
