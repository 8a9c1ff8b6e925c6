import { createServer, type IncomingMessage } from 'node:http';
import type { Observable } from 'rxjs';
import { type WebSocket, WebSocketServer } from 'ws';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { TrainEvent } from '../../core/events.ts';
import { isLoopbackHost, requestToken, tokenMatches } from './feedAuth.ts';
import { acceptFeedClient } from './feedConnection.ts';
import { feedHttpHandler } from './feedHttp.ts';
import { FeedRegistry, type FeedStats } from './feedRegistry.ts';
import { createFeedState, recordEvent } from './feedState.ts';
import { listenOn } from './listenOn.ts';
import { prometheusMetrics } from './prometheusMetrics.ts';
import { gateUpgrades, type MessageLimits, messageLimits, parseOrigins, selfOrigins, type UpgradeGate } from './wsGuard.ts';

export type { FeedStats };

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

export interface FeedHandle {
  readonly port: number;
  /** `ws://host:port/` to give clients. */
  readonly url: string;
  close(): Promise<void>;
  stats(): FeedStats;
}

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
  const registry = new FeedRegistry();
  const authorized = (req: IncomingMessage) => token === undefined || tokenMatches(requestToken(req), token);
  const server = createServer(
    feedHttpHandler({
      host,
      authorized,
      health: () => ({ status: 'ok', step: state.step, clients: registry.clients.size }),
      metrics: () => prometheusMetrics(state, { clients: registry.clients.size, dropped: registry.stats().dropped }),
    }),
  );

  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 64 * 1024 });
  let self: ReadonlySet<string> = new Set();
  const gate: UpgradeGate = {
    origins,
    self: () => self,
    token,
    maxClients,
    clients: () => registry.clients.size,
    names: { what: 'training feed', origins: 'ws_origins (--ws-origins)', token: 'ws_token', maxClients: 'ws_max_clients (--ws-max-clients)' },
  };
  const connection = { registry, state, limits, maxQueue, now };
  gateUpgrades(server, wss, gate, (ws, req) => acceptFeedClient(ws, req, connection), (r) => registry.refused[r.status === 403 ? 'origin' : r.status === 401 ? 'token' : 'full']++);

  const heartbeat = setInterval(() => registry.beat(), heartbeatMs);
  heartbeat.unref();
  let port: number;
  try {
    port = await listenOn(server, opts.port, host, (code) => `ws_port ${opts.port} on ws_host ${host} cannot be bound (${code}); choose another ws_port, or 0 for any free port.`);
  } catch (e) {
    clearInterval(heartbeat);
    throw e;
  }

  const sub = events$.subscribe({
    next: (e) => {
      registry.events++;
      recordEvent(state, e);
      const json = JSON.stringify(e);
      for (const c of registry.clients) c.offerEvent(e.type, json);
    },
    error: (err: unknown) => {
      const message = `event stream failed: ${err instanceof Error ? err.message : String(err)}`;
      for (const c of registry.clients) c.reply({ type: 'error', message }, true);
    },
  });

  self = selfOrigins(host, port);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `ws://${urlHost}:${port}/`,
    stats: () => registry.stats(),
    close: () =>
      (closing ??= (async () => {
        sub.unsubscribe();
        clearInterval(heartbeat);
        const open = [...registry.clients];
        for (const c of open) c.ws.close(1001, 'feed closing');
        await Promise.race([Promise.all(open.map((c) => closed(c.ws))), delay(CLOSE_GRACE_MS)]);
        for (const c of [...registry.clients]) {
          c.ws.terminate();
          registry.retire(c);
        }
        await new Promise<void>((resolve) => {
          wss.close();
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

function closed(ws: WebSocket): Promise<void> {
  return ws.readyState === ws.CLOSED ? Promise.resolve() : new Promise((r) => ws.once('close', () => r()));
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
