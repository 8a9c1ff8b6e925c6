import type { IncomingMessage, Server } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Duplex } from 'node:stream';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { isLoopbackHost, requestToken, tokenMatches } from './feedAuth.ts';

/**
 * What both WebSocket servers (the training feed, wsFeed.ts, and `versiflow serve`, generateServer.ts)
 * check before an upgrade and on every inbound message:
 *
 * - the browser `Origin` (cross-site WebSocket hijacking: any web page may open `ws://127.0.0.1:PORT`,
 *   and the browser sends no token of ours, so without this check any site could read a local run);
 * - the token, compared in constant time;
 * - a cap on connected clients;
 * - per client, a token bucket on inbound messages and a count of bad or excess ones ("strikes").
 */

/** `'*'` = any origin; otherwise the allowed origins, each as `URL.origin` writes it (`https://host:8443`). */
export type OriginAllowList = '*' | ReadonlySet<string>;

/**
 * Parses an allow-list: a comma list of origins (`https://dash.example,http://localhost:3000`), `*` for
 * any, empty for none beyond the server's own. `key` names the option in errors (`ws_origins`, `--origins`).
 *
 * @throws ConfigError naming the entry that is not an origin.
 */
export function parseOrigins(list: string | readonly string[] | undefined, key: string): OriginAllowList {
  const entries = (typeof list === 'string' ? list.split(',') : (list ?? [])).map((s) => s.trim()).filter(Boolean);
  if (entries.includes('*')) return '*';
  const out = new Set<string>();
  for (const e of entries) {
    const origin = bareOrigin(e);
    if (origin === null) {
      throw new ConfigError(`${key}: ${JSON.stringify(e)} is not an origin; write scheme://host[:port] without a path (e.g. https://dash.example:8443), or * for any origin`);
    }
    out.add(origin);
  }
  return out;
}

/** The origin of `scheme://host[:port]` (nothing after it but a slash), else null. */
function bareOrigin(s: string): string | null {
  try {
    const u = new URL(s);
    return u.pathname === '/' && u.search === '' && u.hash === '' && u.username === '' ? originOf(s) : null;
  } catch {
    return null;
  }
}

/** `URL.origin` of a string, lower-cased, or null when it has none (`null`, a bare host, garbage). */
function originOf(s: string): string | null {
  try {
    const o = new URL(s).origin;
    return o === 'null' ? null : o.toLowerCase();
  } catch {
    return null;
  }
}

/**
 * The origins a page served by this server itself would have: http(s)://HOST:PORT for the bound host
 * and, when it is loopback or a wildcard address, for 127.0.0.1, localhost and [::1] too. Deliberately
 * not the request's Host header: a DNS-rebinding page (evil.example resolving to 127.0.0.1) sends a
 * Host header that matches its own Origin.
 */
export function selfOrigins(host: string, port: number): Set<string> {
  const bare = host.replace(/^\[|\]$/g, '');
  const hosts = new Set([bare]);
  if (isLoopbackHost(bare) || bare === '0.0.0.0' || bare === '::') for (const h of ['127.0.0.1', 'localhost', '::1']) hosts.add(h);
  hosts.delete('0.0.0.0');
  hosts.delete('::');
  const out = new Set<string>();
  for (const h of hosts) {
    const name = h.includes(':') ? `[${h}]` : h;
    for (const scheme of ['http', 'https']) {
      const o = originOf(`${scheme}://${name}:${port}`);
      if (o) out.add(o); // (URL drops a default port, as browsers do in Origin)
    }
  }
  return out;
}

/** Why an upgrade was refused: an HTTP status, a plain-text body saying how to get in, extra headers. */
export interface Refusal {
  readonly status: 401 | 403 | 503;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface UpgradeGate {
  /** Browser origins allowed besides `self`. */
  readonly origins: OriginAllowList;
  /** The server's own origins (selfOrigins), known once it listens. */
  readonly self: () => ReadonlySet<string>;
  readonly token?: string;
  readonly maxClients: number;
  /** Clients connected now. */
  readonly clients: () => number;
  /** How the options are spelled where this server is configured, for the refusal texts. */
  readonly names: { readonly what: string; readonly origins: string; readonly token: string; readonly maxClients: string };
}

/**
 * Decides an upgrade request: undefined to accept, else the refusal. Order: Origin (403), token
 * (401), client cap (503). No `Origin` header means a non-browser client (the CLI monitor, a script)
 * and is allowed: browsers always send one with a WebSocket handshake.
 */
export function gateUpgrade(req: IncomingMessage, gate: UpgradeGate): Refusal | undefined {
  const raw = req.headers.origin ?? req.headers['sec-websocket-origin'];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (header !== undefined && gate.origins !== '*') {
    const origin = originOf(header);
    if (origin === null || !(gate.self().has(origin) || gate.origins.has(origin))) {
      return {
        status: 403,
        body:
          `origin ${JSON.stringify(header)} may not open this ${gate.names.what}: a web page from another site could read it. ` +
          `To allow it, add the origin to ${gate.names.origins} (a comma list of scheme://host[:port]; * allows any).\n`,
      };
    }
  }
  if (gate.token !== undefined && !tokenMatches(requestToken(req), gate.token)) {
    return { status: 401, body: `unauthorized: send Authorization: Bearer <${gate.names.token}> (or ?token=)\n`, headers: { 'www-authenticate': 'Bearer' } };
  }
  if (gate.clients() >= gate.maxClients) {
    return {
      status: 503,
      body: `this ${gate.names.what} is full: ${gate.maxClients} clients connected (${gate.names.maxClients}); try again later, or raise ${gate.names.maxClients}\n`,
      headers: { 'retry-after': '5' },
    };
  }
  return undefined;
}

const REASON: Record<Refusal['status'], string> = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' };

/** Answers a refused upgrade on its raw socket and closes it. */
export function refuseUpgrade(socket: Duplex, r: Refusal): void {
  const body = Buffer.from(r.body, 'utf8');
  const headers = { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(body.length), connection: 'close', ...r.headers };
  const head = `HTTP/1.1 ${r.status} ${REASON[r.status]}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`;
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), body]));
}

/**
 * Routes `server`'s WebSocket upgrades through the gate: a refused one is answered on its raw socket
 * (and reported to `onRefused`), an accepted one is completed by `wss` and handed to `onConnection`.
 * The handshake completes synchronously (no verifyClient, no compression), so the gate's client count
 * is exact for the next upgrade.
 */
export function gateUpgrades(server: Server, wss: WebSocketServer, gate: UpgradeGate, onConnection: (ws: WebSocket, req: IncomingMessage) => void, onRefused: (r: Refusal) => void = () => undefined): void {
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined); // a client that resets mid-handshake
    const refusal = gateUpgrade(req, gate);
    if (refusal) {
      onRefused(refusal);
      return refuseUpgrade(socket, refusal);
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, req));
  });
}

/** Inbound message limits per client. */
export interface MessageLimits {
  /** Messages a client may send in a burst (the bucket's size). @default 20 */
  readonly burst: number;
  /** Sustained messages per second (the bucket's refill rate). @default 10 */
  readonly perSecond: number;
  /** Bad or excess messages within `strikeWindowMs` after which the connection is closed with 1008. @default 5 */
  readonly strikes: number;
  /** @default 10000 */
  readonly strikeWindowMs: number;
}

export const DEFAULT_MESSAGE_LIMITS: MessageLimits = { burst: 20, perSecond: 10, strikes: 5, strikeWindowMs: 10_000 };

/** WebSocket close code for a client that broke the rules too often (RFC 6455 §7.4.1). */
export const POLICY_VIOLATION = 1008;

/**
 * One client's inbound budget: a token bucket (`admit`) and a sliding window of strikes (`strike`).
 * `now` is a millisecond clock (injectable: tests step it by hand).
 */
export class ClientGuard {
  private tokens: number;
  private last: number;
  private readonly strikeTimes: number[] = [];

  constructor(
    readonly limits: MessageLimits,
    private readonly now: () => number,
  ) {
    this.tokens = limits.burst;
    this.last = now();
  }

  /** Takes one message from the bucket; false when the client is over its rate (the message is to be ignored). */
  admit(): boolean {
    const t = this.now();
    this.tokens = Math.min(this.limits.burst, this.tokens + ((t - this.last) * this.limits.perSecond) / 1000);
    this.last = t;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Records a bad or excess message; true when that makes `strikes` within the window: close the connection. */
  strike(): boolean {
    const t = this.now();
    this.strikeTimes.push(t);
    while (this.strikeTimes.length > 0 && this.strikeTimes[0] <= t - this.limits.strikeWindowMs) this.strikeTimes.shift();
    return this.strikeTimes.length >= this.limits.strikes;
  }

  /** The error text for a message over the rate. */
  rateMessage(): string {
    return `rate limit: at most ${this.limits.perSecond} messages/s (bursts of ${this.limits.burst}); this message was ignored`;
  }

  /** Appended to the last error before a 1008 close. */
  closingMessage(): string {
    return `closing the connection (1008): ${this.limits.strikes} bad or excess messages within ${this.limits.strikeWindowMs / 1000} s`;
  }
}

/** The close reason sent with 1008 (≤ 123 bytes). */
export const POLICY_CLOSE_REASON = 'too many bad or excess messages';

/** Fills in unset limits; throws a ConfigError for a value that is not a positive number. */
export function messageLimits(partial: Partial<MessageLimits> | undefined, where: string): MessageLimits {
  const l = { ...DEFAULT_MESSAGE_LIMITS, ...partial };
  for (const [k, v] of Object.entries(l)) {
    if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new ConfigError(`${where}: message limit ${k} must be a positive number, got ${v}`);
  }
  return l;
}
