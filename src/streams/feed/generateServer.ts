import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { Token } from '../../model/nn/generate.ts';
import { isLoopbackHost } from './feedAuth.ts';
import { type ClientGenerateOptions, type GenerateLimits, type GeneratePrompt, type GenerateServerMessage, parseGenerateMessage } from './generateProtocol.ts';
import { requestOverLimit } from './generateRequestLimits.ts';
import { type GenerateConnection, GenerateScheduler } from './generateScheduler.ts';
import { listenOn } from './listenOn.ts';
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
  const connections = new Set<GenerateConnection & { readonly ws: WebSocket }>();
  const scheduler = new GenerateScheduler(source, limits, now);
  const check = { limits, chat: opts.model.chat ?? false, countTokens: opts.countTokens };

  const onConnection = (ws: WebSocket) => {
    const conn = { ws, q: new SocketQueue(ws, opts.maxQueue ?? 256, opts.highWaterBytes ?? 65536), jobs: new Map() };
    connections.add(conn);
    const guard = new ClientGuard(guardLimits, now);
    ws.on('error', () => undefined); // followed by 'close'
    ws.on('close', () => {
      connections.delete(conn);
      scheduler.disconnect(conn);
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
      if (m.type === 'cancel') return scheduler.cancel(conn, m.id);
      const over = requestOverLimit(m.prompt, m.options, check);
      if (over) return void conn.q.send({ type: 'error', id: m.id, message: over } satisfies GenerateServerMessage);
      scheduler.submit(conn, m.id, m.prompt, m.options);
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

  const port = await listenOn(server, opts.port, host, (code) => `serve: port ${opts.port} on ${host} cannot be bound (${code}); choose another --port, or 0 for any free port`);
  self = selfOrigins(host, port);
  return {
    port,
    url: `ws://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    limits,
    active: () => scheduler.active(),
    parked: () => scheduler.parked(),
    queued: () => scheduler.queued(),
    clients: () => connections.size,
    close: () =>
      new Promise<void>((resolve) => {
        scheduler.close(connections);
        for (const c of connections) c.ws.terminate();
        wss.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
