import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Observable } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { EVENT_TYPES, type TrainEvent } from '../../core/events.ts';
import { FeedClient } from './feedClient.ts';
import { isLoopbackHost, requestToken, tokenMatches } from './feedAuth.ts';
import { parseClientMessage, parseTypeList } from './feedProtocol.ts';
import { createFeedState, recordEvent, snapshotMessage } from './feedState.ts';
import { prometheusMetrics } from './prometheusMetrics.ts';
import {
  ClientGuard, gateUpgrades, type MessageLimits, messageLimits, parseOrigins, POLICY_CLOSE_REASON, POLICY_VIOLATION, selfOrigins, type UpgradeGate,
} from './wsGuard.ts';

export interface FeedOptions {
  /** TCP port; 0 = any free port (read it back from the handle). */
  readonly port: number;
  /** @default '127.0.0.1' — any non-loopback address requires `token`. */
  readonly host?: string;
  /** Clients must present it (`?token=` or `Authorization: Bearer`); also guards /metrics. */
  readonly token?: string;
  /**
   * Browser origins allowed to connect besides the feed's own (http://127.0.0.1:PORT, http://localhost:PORT):
   * a comma list or array of `scheme://host[:port]`, `*` for any. A handshake without an Origin header
   * (not a browser) is always allowed; any other origin gets HTTP 403. Config key `ws_origins`.
   */
  readonly origins?: string | readonly string[];
  /** @default 64 — connected clients; the next one gets HTTP 503. Config key `ws_max_clients`. */
  readonly maxClients?: number;
  /** Inbound message rate and strikes per client (defaults: DEFAULT_MESSAGE_LIMITS). */
  readonly messageLimits?: Partial<MessageLimits>;
  /** @default 20 — events of each type replayed in the snapshot. */
  readonly snapshotSize?: number;
  /** @default 1024 — messages waiting per client before events are skipped. */
  readonly maxQueue?: number;
  /** @default 30000 — ping interval; a client silent for a whole interval is terminated. */
  readonly heartbeatMs?: number;
  /** @default 65536 — largest inbound frame in bytes (client messages are tiny). */
  readonly maxPayload?: number;
  /** @default Date.now — clock for snapshot times and the message rate limit. */
  readonly now?: () => number;
}

export interface FeedStats {
  readonly clients: number;
  /** Events seen on `events$`. */
  readonly events: number;
  /** Messages handed to sockets, all clients together. */
  readonly sent: number;
  /** Events skipped for slow clients, all clients together (also after they left). */
  readonly dropped: number;
  readonly laggedNotices: number;
  /** Clients terminated by the heartbeat. */
  readonly terminated: number;
  /** Upgrades refused: bad origin (403), token (401), feed full (503). */
  readonly refused: { readonly origin: number; readonly token: number; readonly full: number };
  /** Clients closed with 1008 for too many bad or excess messages. */
  readonly policyClosed: number;
  /** Longest outbound queue any client reached. */
  readonly maxQueued: number;
}

export interface FeedHandle {
  readonly port: number;
  /** `ws://host:port/` to give clients. */
  readonly url: string;
  close(): Promise<void>;
  stats(): FeedStats;
}

/** Above this many bytes unsent on a socket, messages wait in the client's own bounded queue. */
const HIGH_WATER_BYTES = 256 * 1024;
/** How long close() lets clients answer the close frame before cutting them off. */
const CLOSE_GRACE_MS = 500;

/**
 * Serves a run's events live over WebSocket (protocol: docs/ws-protocol.md), with `GET /metrics`
 * (Prometheus) and `GET /healthz` on the same HTTP server. Each event is serialised once and offered
 * to every client without waiting: a slow or stuck client gets skipped events and a `lagged` notice,
 * never slows training. Resolves once listening. Keeps serving after `events$` completes, so late
 * joiners still get the final snapshot, until `close()`.
 *
 * Hardening (docs/ws-protocol.md, "Who may connect"): the browser Origin is checked on upgrade (403
 * unless same-origin or in `origins`), the token compared in constant time (401), the clients capped
 * (503); a bad or excess client message is answered with an `error` and counted, and `strikes` of them
 * within a window close that client with 1008. Frames over `maxPayload` close it with 1009.
 *
 * @throws ConfigError when `host` is not loopback and no token is set, an origin is malformed, or the port cannot be bound.
 */
export async function startFeed(events$: Observable<TrainEvent>, opts: FeedOptions): Promise<FeedHandle> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token || undefined;
  const maxQueue = opts.maxQueue ?? 1024;
  const heartbeatMs = opts.heartbeatMs ?? 30_000;
  const now = opts.now ?? Date.now;
  const origins = parseOrigins(opts.origins, 'ws_origins');
  const limits = messageLimits(opts.messageLimits, 'feed');
  const maxClients = opts.maxClients ?? 64;
  if (!(Number.isInteger(maxClients) && maxClients >= 1)) throw new ConfigError(`ws_max_clients must be an integer ≥ 1, got ${maxClients}`);
  if (!isLoopbackHost(host) && token === undefined) {
    throw new ConfigError(
      `ws_host is ${JSON.stringify(host)}, which other machines can reach, but ws_token is empty: anyone on the network could ` +
        `watch the run. Set ws_token (--ws-token T), or bind ws_host 127.0.0.1.`,
    );
  }

  const state = createFeedState(opts.snapshotSize ?? 20);
  const clients = new Set<FeedClient>();
  const totals = { events: 0, sent: 0, dropped: 0, laggedNotices: 0, terminated: 0, maxQueued: 0, policyClosed: 0 };
  const refused = { origin: 0, token: 0, full: 0 };
  const retire = (c: FeedClient) => {
    if (!clients.delete(c)) return;
    totals.sent += c.sent;
    totals.dropped += c.dropped;
    totals.laggedNotices += c.laggedNotices;
    totals.maxQueued = Math.max(totals.maxQueued, c.maxQueued);
  };
  const stats = (): FeedStats => {
    const live = [...clients];
    return {
      clients: live.length,
      events: totals.events,
      sent: totals.sent + sum(live, (c) => c.sent),
      dropped: totals.dropped + sum(live, (c) => c.dropped),
      laggedNotices: totals.laggedNotices + sum(live, (c) => c.laggedNotices),
      terminated: totals.terminated,
      refused: { ...refused },
      policyClosed: totals.policyClosed,
      maxQueued: Math.max(totals.maxQueued, ...live.map((c) => c.maxQueued)),
    };
  };

  const authorized = (req: IncomingMessage) => token === undefined || tokenMatches(requestToken(req), token);

  const server = createServer((req, res) => handleHttp(req, res));
  const handleHttp = (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed; use GET\n', { allow: 'GET, HEAD' });
    if (path === '/healthz') {
      return text(res, 200, `${JSON.stringify({ status: 'ok', step: state.step, clients: clients.size })}\n`, { 'content-type': 'application/json' });
    }
    if (path === '/metrics') {
      if (!authorized(req)) return text(res, 401, 'unauthorized: send Authorization: Bearer <ws_token>\n', { 'www-authenticate': 'Bearer' });
      return text(res, 200, prometheusMetrics(state, { clients: clients.size, dropped: stats().dropped }), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    }
    return text(res, 404, 'not found: this server has GET /metrics, GET /healthz and the WebSocket feed\n');
  };

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 64 * 1024 });
  let self: ReadonlySet<string> = new Set();
  const gate: UpgradeGate = {
    origins,
    self: () => self,
    token,
    maxClients,
    clients: () => clients.size,
    names: { what: 'training feed', origins: 'ws_origins (--ws-origins)', token: 'ws_token', maxClients: 'ws_max_clients (--ws-max-clients)' },
  };
  gateUpgrades(server, wss, gate, (ws, req) => onConnection(ws, req), (r) => refused[r.status === 403 ? 'origin' : r.status === 401 ? 'token' : 'full']++);

  const onConnection = (ws: WebSocket, req: IncomingMessage) => {
    const query = new URL(req.url ?? '/', 'http://x').searchParams.get('types');
    const types = query ? parseTypeList(query.split(',').map((t) => t.trim()).filter(Boolean)) : [...EVENT_TYPES];
    if ('error' in types) {
      ws.send(JSON.stringify({ type: 'error', message: `?types=: ${types.error}` }));
      ws.close(1008, 'bad types');
      return;
    }
    const client = new FeedClient(ws, types, maxQueue, HIGH_WATER_BYTES);
    clients.add(client);
    ws.on('pong', () => (client.alive = true));
    ws.on('close', () => retire(client));
    // a socket error (reset, oversized frame) is followed by 'close'; nothing else to do
    ws.on('error', () => undefined);
    const guard = new ClientGuard(limits, now);
    // a bad or excess message: an error for it; too many of them: 1008
    const penalize = (message: string) => {
      if (!guard.strike()) return client.reply({ type: 'error', message }, false);
      client.reply({ type: 'error', message: `${message}; ${guard.closingMessage()}` }, true);
      totals.policyClosed++;
      ws.close(POLICY_VIOLATION, POLICY_CLOSE_REASON);
    };
    ws.on('message', (data, isBinary) => {
      if (ws.readyState !== WebSocket.OPEN) return; // closing: ignore the rest
      if (!guard.admit()) return penalize(guard.rateMessage());
      const msg = parseClientMessage(data, isBinary);
      if ('error' in msg) return penalize(msg.error);
      if (msg.type === 'ping') return client.reply({ type: 'pong' }, false);
      for (const t of msg.types) msg.type === 'subscribe' ? client.types.add(t) : client.types.delete(t);
      // droppable like any reply: a client spamming subscribe without reading must not grow its queue
      client.reply({ type: 'subscribed', types: EVENT_TYPES.filter((t) => client.types.has(t)) }, false);
    });
    client.reply(snapshotMessage(state, now()), true);
  };

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        totals.terminated++;
        c.ws.terminate();
        retire(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      clearInterval(heartbeat);
      reject(
        err.code === 'EADDRINUSE' || err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL'
          ? new ConfigError(`ws_port ${opts.port} on ws_host ${host} cannot be bound (${err.code}); choose another ws_port, or 0 for any free port.`)
          : err,
      );
    });
    server.listen(opts.port, host, () => resolve());
  });

  const sub = events$.subscribe({
    next: (e) => {
      totals.events++;
      recordEvent(state, e);
      const json = JSON.stringify(e);
      for (const c of clients) c.offerEvent(e.type, json);
    },
    error: (err: unknown) => {
      const message = `event stream failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const c of clients) c.reply({ type: 'error', message }, true);
    },
  });

  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  self = selfOrigins(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `ws://${urlHost}:${port}/`,
    stats,
    close: () =>
      (closing ??= (async () => {
        sub.unsubscribe();
        clearInterval(heartbeat);
        const open = [...clients];
        for (const c of open) c.ws.close(1001, 'feed closing');
        await Promise.race([Promise.all(open.map((c) => closed(c.ws))), delay(CLOSE_GRACE_MS)]);
        for (const c of [...clients]) {
          c.ws.terminate();
          retire(c);
        }
        await new Promise<void>((resolve) => {
          wss.close();
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

function sum<T>(xs: readonly T[], f: (x: T) => number): number {
  let s = 0;
  for (const x of xs) s += f(x);
  return s;
}

function closed(ws: WebSocket): Promise<void> {
  return ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise((r) => ws.once('close', () => r()));
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
