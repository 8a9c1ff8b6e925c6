import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { Token } from '../../model/nn/generate.ts';
import { isLoopbackHost } from './feedAuth.ts';
import { type ClientGenerateOptions, type GenerateLimits, type GeneratePrompt, type GenerateServerMessage, parseGenerateMessage } from './generateProtocol.ts';
import { SocketQueue } from './socketQueue.ts';
import {
  ClientGuard, gateUpgrades, type MessageLimits, messageLimits, parseOrigins, POLICY_CLOSE_REASON, POLICY_VIOLATION, selfOrigins, type UpgradeGate,
} from './wsGuard.ts';

/**
 * Produces the tokens for one request (a text prompt, or a conversation to render with the chat
 * template); the server stops iterating (return()) on cancel or disconnect.
 */
export type TokenSource = (prompt: GeneratePrompt, options: ClientGenerateOptions) => AsyncIterable<Token>;

export interface GenerateServerOptions {
  /** TCP port; 0 = any free port. */
  readonly port: number;
  /** @default '127.0.0.1' — any non-loopback address requires `token`. */
  readonly host?: string;
  /** Sent in `hello`. */
  readonly model: { readonly vocabSize: number; readonly context: number; readonly watermark: string | null; readonly chat?: boolean };
  /** Clients must present it (`Authorization: Bearer` or `?token=`); compared in constant time. */
  readonly token?: string;
  /** Browser origins allowed besides the server's own (a comma list or array, `*` = any); others get HTTP 403. */
  readonly origins?: string | readonly string[];
  /** @default 64 — connected clients; the next one gets HTTP 503. */
  readonly maxClients?: number;
  /** @default 2 — generations running at once, all clients together; later requests wait in order. */
  readonly maxConcurrent?: number;
  /** @default 32 — requests that may wait for a slot; beyond that a request gets an error. */
  readonly maxQueued?: number;
  /** @default 1024 — the largest `maxNewTokens` a request may ask for. */
  readonly maxNewTokens?: number;
  /** Counts a prompt's tokens (the model's tokenizer); without it prompts are not bounded. */
  readonly countTokens?: (prompt: string) => number;
  /** @default model.context — most tokens a prompt may have (counted by `countTokens`). */
  readonly maxPromptTokens?: number;
  /** @default 256 — messages waiting per client before its generations pause. */
  readonly maxQueue?: number;
  /** @default 65536 — unsent bytes on a socket above which messages wait in the queue. */
  readonly highWaterBytes?: number;
  /** Inbound message rate and strikes per client (defaults: DEFAULT_MESSAGE_LIMITS). */
  readonly messageLimits?: Partial<MessageLimits>;
  /** @default performance.now — ms clock for tokens/s and the message rate limit. */
  readonly now?: () => number;
}

export interface GenerateServerHandle {
  readonly port: number;
  readonly url: string;
  readonly limits: GenerateLimits;
  /** Generations running now, all clients together (not counting parked ones). */
  active(): number;
  /** Generations waiting for their client to read, their slot given up. */
  parked(): number;
  /** Requests waiting for a slot. */
  queued(): number;
  /** Connected clients. */
  clients(): number;
  close(): Promise<void>;
}

interface Connection {
  readonly ws: WebSocket;
  readonly q: SocketQueue;
  /** This connection's requests, running or waiting, by id. */
  readonly jobs: Map<string, Job>;
}

interface Job {
  readonly id: string;
  readonly prompt: GeneratePrompt;
  readonly options: ClientGenerateOptions;
  readonly conn: Connection;
  cancelled: boolean;
  /** Last position announced in a `queued` message (0: none). */
  position: number;
}

/**
 * Generation over WebSocket (protocol: docs/generate-protocol.md). At most `maxConcurrent` requests
 * run at once, each as its own async loop over `source`, so they interleave token by token on the
 * event loop; the others wait in one FIFO queue (bounded by `maxQueued`), told their position with
 * `queued` messages. Every client has a bounded outbound queue (SocketQueue): a slow reader pauses
 * only its own generations. `cancel` or a disconnect stops a generation before its next token, or
 * takes it out of the queue.
 *
 * Before a request runs: its prompt is at most `maxPromptTokens` tokens and its `maxNewTokens` at
 * most the server's. Who may connect and how much a client may send are checked as for the feed
 * (wsGuard.ts): Origin (403), token (401), client cap (503), message rate and strikes (1008).
 *
 * @throws ConfigError when `host` is not loopback and no token is set, an option is out of range, or the port cannot be bound.
 */
export async function startGenerateServer(source: TokenSource, opts: GenerateServerOptions): Promise<GenerateServerHandle> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token || undefined;
  const now = opts.now ?? (() => performance.now());
  const origins = parseOrigins(opts.origins, 'serve --origins');
  const guardLimits = messageLimits(opts.messageLimits, 'serve');
  const limits: GenerateLimits = {
    maxPromptTokens: opts.maxPromptTokens ?? opts.model.context,
    maxNewTokens: opts.maxNewTokens ?? 1024,
    maxConcurrent: opts.maxConcurrent ?? 2,
    maxQueued: opts.maxQueued ?? 32,
  };
  const maxClients = opts.maxClients ?? 64;
  for (const [flag, v, min] of [['--max-concurrent', limits.maxConcurrent, 1], ['--max-queued', limits.maxQueued, 0], ['--max-new-tokens-limit', limits.maxNewTokens, 0], ['--max-clients', maxClients, 1], ['prompt limit', limits.maxPromptTokens, 1]] as const) {
    if (!(Number.isInteger(v) && v >= min)) throw new ConfigError(`serve: ${flag} must be an integer ≥ ${min}, got ${v}`);
  }
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ConfigError(
      `serve: --host ${host} can be reached from other machines, but no --token is set: anyone on the network could use the model. ` +
        'Set --token T (clients send Authorization: Bearer T, or ?token=T in the URL), or bind --host 127.0.0.1.',
    );
  }

  const server = createServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('this is a versiflow generation server: connect with a WebSocket (docs/generate-protocol.md)\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1 << 20 });
  const connections = new Set<Connection>();
  const waiting: Job[] = [];
  let running = 0;
  let closed = false;

  /** Generations waiting for their client to read (they gave up their slot), and those ready to take one back. */
  let parked = 0;
  const resuming: Array<() => void> = [];

  const run = async (job: Job) => {
    const { q, jobs } = job.conn;
    const id = job.id;
    const t0 = now();
    let n = 0;
    let finish: 'eos' | 'length' | 'stop' | 'cancelled' = 'length';
    let holding = true; // counted in `running`
    // A client that stops reading fills its queue; its generation then gives up its slot (parks)
    // until the client reads, and takes a slot again (before queued requests) to go on. So a slow
    // reader never holds a slot others could compute in. At most maxQueued park at once.
    const sendToken = async (msg: GenerateServerMessage) => {
      const sent = q.send(msg);
      if (!q.full || parked >= limits.maxQueued) return sent;
      holding = false;
      running--;
      parked++;
      pump();
      try {
        await sent;
      } finally {
        parked--;
      }
      if (job.cancelled) return;
      await new Promise<void>((resolve) => {
        resuming.push(resolve);
        pump();
      });
      holding = true;
    };
    try {
      for await (const t of source(job.prompt, job.options)) {
        if (job.cancelled) break;
        n++;
        if (t.finish) finish = t.finish;
        await sendToken({ type: 'token', id, text: t.text, tokenId: t.id, logprob: t.logprob, ...(t.green === undefined ? {} : { green: t.green }) });
        // On cpu/wasm a token's read resolves without a macrotask: yield, or one generation would
        // starve the sockets (other clients' requests, this client's cancel) until it ends.
        await new Promise((r) => setImmediate(r));
        if (job.cancelled) break;
      }
      if (job.cancelled) finish = 'cancelled';
      const s = (now() - t0) / 1000;
      // the last message is not awaited: the generation is over, its slot is free for the next
      void q.send({ type: 'done', id, tokens: n, tokPerSec: s > 0 ? n / s : 0, finish } satisfies GenerateServerMessage);
    } catch (e) {
      void q.send({ type: 'error', id, message: (e as Error).message } satisfies GenerateServerMessage);
    } finally {
      jobs.delete(id);
      if (holding) running--;
      pump();
    }
  };

  const start = (job: Job) => {
    running++;
    void run(job);
  };
  /** Fills free slots: parked generations whose client read again first, then queued requests in order; tells the rest their positions. */
  const pump = () => {
    while (running < limits.maxConcurrent) {
      if (resuming.length > 0) {
        running++;
        resuming.shift()!();
      } else if (waiting.length > 0) start(waiting.shift()!);
      else break;
    }
    announce();
  };
  const announce = () => {
    waiting.forEach((j, i) => {
      if (j.position === i + 1) return;
      j.position = i + 1;
      void j.conn.q.send({ type: 'queued', id: j.id, position: j.position } satisfies GenerateServerMessage);
    });
  };
  const unqueue = (job: Job) => {
    const i = waiting.indexOf(job);
    if (i < 0) return false;
    waiting.splice(i, 1);
    job.conn.jobs.delete(job.id);
    return true;
  };

  /** Checks a request against the limits; the error message, or undefined when it may run. */
  const overLimit = (prompt: GeneratePrompt, o: ClientGenerateOptions): string | undefined => {
    if (o.maxNewTokens !== undefined && o.maxNewTokens > limits.maxNewTokens) {
      return `options.maxNewTokens ${o.maxNewTokens} is over this server's limit of ${limits.maxNewTokens} (serve --max-new-tokens-limit); ask for at most ${limits.maxNewTokens}`;
    }
    if (typeof prompt !== 'string') {
      // a conversation is fitted to the context by dropping its oldest turns; only its size in characters is bounded here
      if (!opts.model.chat) return 'this model has no chat tokens (its tokenizer lacks <|user|>, <|assistant|>, <|end|>): send a text "prompt" instead of "messages"';
      const chars = prompt.messages.reduce((n, t) => n + t.content.length, prompt.system?.length ?? 0);
      return chars > limits.maxPromptTokens * 256 ? `the conversation is ${chars} characters; the limit is ${limits.maxPromptTokens * 256}: send fewer or shorter messages` : undefined;
    }
    if (opts.countTokens) {
      // bounds the tokenizing work one request can cause: a prompt of over 256 characters per allowed
      // token is refused uncounted (no tokenizer of ours has tokens that long on average)
      let n: number;
      try {
        n = prompt.length > limits.maxPromptTokens * 256 ? Infinity : opts.countTokens(prompt);
      } catch (e) {
        return `cannot tokenize the prompt: ${(e as Error).message}`;
      }
      if (n > limits.maxPromptTokens) {
        const count = Number.isFinite(n) ? `${n} tokens` : `${prompt.length} characters`;
        return `prompt is ${count}; the limit is ${limits.maxPromptTokens} tokens (the model's context): shorten it`;
      }
    }
    return undefined;
  };

  const submit = (conn: Connection, id: string, prompt: GeneratePrompt, options: ClientGenerateOptions) => {
    if (closed) return;
    const error = (message: string) => void conn.q.send({ type: 'error', id, message } satisfies GenerateServerMessage);
    if (conn.jobs.has(id)) return error(`a generation with id "${id}" is already running or queued on this connection`);
    const over = overLimit(prompt, options);
    if (over) return error(over);
    const job: Job = { id, prompt, options, conn, cancelled: false, position: 0 };
    if (running < limits.maxConcurrent && waiting.length === 0) {
      conn.jobs.set(id, job);
      return start(job);
    }
    if (waiting.length >= limits.maxQueued) {
      return error(`server busy: ${running} generation(s) running and ${waiting.length} waiting (serve --max-concurrent ${limits.maxConcurrent}, --max-queued ${limits.maxQueued}); try again later`);
    }
    conn.jobs.set(id, job);
    waiting.push(job);
    announce();
  };

  const cancel = (conn: Connection, id: string) => {
    const job = conn.jobs.get(id);
    if (!job) return;
    job.cancelled = true;
    if (unqueue(job)) {
      void conn.q.send({ type: 'done', id, tokens: 0, tokPerSec: 0, finish: 'cancelled' } satisfies GenerateServerMessage);
      announce();
    }
  };

  const onConnection = (ws: WebSocket) => {
    const conn: Connection = { ws, q: new SocketQueue(ws, opts.maxQueue ?? 256, opts.highWaterBytes ?? 65536), jobs: new Map() };
    connections.add(conn);
    const guard = new ClientGuard(guardLimits, now);
    ws.on('error', () => undefined); // followed by 'close'
    ws.on('close', () => {
      connections.delete(conn);
      let left = false;
      for (const j of [...conn.jobs.values()]) {
        j.cancelled = true;
        left = unqueue(j) || left;
      }
      if (left) announce();
    });
    const penalize = (message: string, id?: string) => {
      const closing = guard.strike();
      void conn.q.send({ type: 'error', ...(id ? { id } : {}), message: closing ? `${message}; ${guard.closingMessage()}` : message } satisfies GenerateServerMessage);
      if (closing) ws.close(POLICY_VIOLATION, POLICY_CLOSE_REASON);
    };
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== WebSocket.OPEN) return; // closing: ignore the rest
      if (!guard.admit()) return penalize(guard.rateMessage());
      const m = parseGenerateMessage(data, isBinary);
      if ('error' in m) return penalize(m.error, m.id);
      if (m.type === 'cancel') return cancel(conn, m.id);
      submit(conn, m.id, m.prompt, m.options);
    });
    void conn.q.send({ type: 'hello', protocol: 2, model: opts.model, limits } satisfies GenerateServerMessage);
  };

  let self: ReadonlySet<string> = new Set();
  const gate: UpgradeGate = {
    origins,
    self: () => self,
    token,
    maxClients,
    clients: () => connections.size,
    names: { what: 'generation server', origins: 'serve --origins', token: 'serve --token', maxClients: 'serve --max-clients' },
  };
  gateUpgrades(server, wss, gate, (ws) => onConnection(ws));

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new ConfigError(`serve: port ${opts.port} on ${host} cannot be bound (${err.code}); choose another --port, or 0 for any free port`)
          : err,
      ),
    );
    server.listen(opts.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  self = selfOrigins(host, port);
  return {
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    limits,
    active: () => running,
    parked: () => parked,
    queued: () => waiting.length,
    clients: () => connections.size,
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        waiting.length = 0;
        for (const c of connections) {
          for (const j of c.jobs.values()) j.cancelled = true;
          c.ws.terminate();
        }
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
