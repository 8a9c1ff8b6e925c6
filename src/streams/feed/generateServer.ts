import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { Token } from '../../model/nn/generate.ts';
import { type ClientGenerateOptions, type GenerateServerMessage, parseGenerateMessage } from './generateProtocol.ts';
import { SocketQueue } from './socketQueue.ts';

/** Produces the tokens for one request; the server stops iterating (return()) on cancel or disconnect. */
export type TokenSource = (prompt: string, options: ClientGenerateOptions) => AsyncIterable<Token>;

export interface GenerateServerOptions {
  /** TCP port; 0 = any free port. */
  readonly port: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Sent in `hello`. */
  readonly model: { readonly vocabSize: number; readonly context: number; readonly watermark: string | null };
  /** @default 256 — messages waiting per client before its generations pause. */
  readonly maxQueue?: number;
  /** @default 65536 — unsent bytes on a socket above which messages wait in the queue. */
  readonly highWaterBytes?: number;
  /** @default performance.now — ms clock for tokens/s. */
  readonly now?: () => number;
}

export interface GenerateServerHandle {
  readonly port: number;
  readonly url: string;
  /** Generations running now, all clients together. */
  active(): number;
  close(): Promise<void>;
}

/**
 * Generation over WebSocket (protocol: docs/generate-protocol.md). Each `generate` request runs
 * as its own async loop over `source`, so several clients (and several requests of one client)
 * interleave token by token on the event loop. Every client has a bounded queue (SocketQueue): a
 * slow reader pauses only its own generations. `cancel` or a disconnect stops a generation before
 * its next token.
 */
export async function startGenerateServer(source: TokenSource, opts: GenerateServerOptions): Promise<GenerateServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const now = opts.now ?? (() => performance.now());
  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('this is a versiflow generation server: connect with a WebSocket (docs/generate-protocol.md)\n');
  });
  const wss = new WebSocketServer({ server, maxPayload: 1 << 20 });
  const running = new Map<WebSocket, Map<string, { cancelled: boolean }>>();

  const run = async (q: SocketQueue, jobs: Map<string, { cancelled: boolean }>, id: string, prompt: string, options: ClientGenerateOptions) => {
    const job = { cancelled: false };
    jobs.set(id, job);
    const t0 = now();
    let n = 0;
    let finish: 'eos' | 'length' | 'stop' | 'cancelled' = 'length';
    try {
      for await (const t of source(prompt, options)) {
        if (job.cancelled) break;
        n++;
        if (t.finish) finish = t.finish;
        await q.send({ type: 'token', id, text: t.text, tokenId: t.id, logprob: t.logprob, ...(t.green === undefined ? {} : { green: t.green }) } satisfies GenerateServerMessage);
        // On cpu/wasm a token's read resolves without a macrotask: yield, or one generation would
        // starve the sockets (other clients' requests, this client's cancel) until it ends.
        await new Promise((r) => setImmediate(r));
        if (job.cancelled) break;
      }
      if (job.cancelled) finish = 'cancelled';
      const s = (now() - t0) / 1000;
      await q.send({ type: 'done', id, tokens: n, tokPerSec: s > 0 ? n / s : 0, finish } satisfies GenerateServerMessage);
    } catch (e) {
      await q.send({ type: 'error', id, message: (e as Error).message } satisfies GenerateServerMessage);
    } finally {
      jobs.delete(id);
    }
  };

  wss.on('connection', (ws) => {
    const q = new SocketQueue(ws, opts.maxQueue ?? 256, opts.highWaterBytes ?? 65536);
    const jobs = new Map<string, { cancelled: boolean }>();
    running.set(ws, jobs);
    ws.on('error', () => undefined); // followed by 'close'
    ws.on('close', () => {
      for (const j of jobs.values()) j.cancelled = true;
      running.delete(ws);
    });
    ws.on('message', (data, isBinary) => {
      const m = parseGenerateMessage(data, isBinary);
      if ('error' in m) return void q.send({ type: 'error', ...(m.id ? { id: m.id } : {}), message: m.error });
      if (m.type === 'cancel') {
        const j = jobs.get(m.id);
        if (j) j.cancelled = true;
        return;
      }
      if (jobs.has(m.id)) return void q.send({ type: 'error', id: m.id, message: `a generation with id "${m.id}" is already running on this connection` });
      void run(q, jobs, m.id, m.prompt, m.options);
    });
    void q.send({ type: 'hello', protocol: 1, model: opts.model } satisfies GenerateServerMessage);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' || err.code === 'EACCES' ? new ConfigError(`serve: port ${opts.port} on ${host} cannot be bound (${err.code}); choose another --port, or 0 for any free port`) : err),
    );
    server.listen(opts.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    active: () => [...running.values()].reduce((a, j) => a + j.size, 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const [ws, jobs] of running) {
          for (const j of jobs.values()) j.cancelled = true;
          ws.terminate();
        }
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
