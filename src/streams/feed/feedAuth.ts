import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/** True for addresses only this machine can reach: localhost, 127.0.0.0/8, ::1 (and its v4-mapped form). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** The token a request presents: `Authorization: Bearer T` first, else the `?token=T` query. */
export function requestToken(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  return new URL(req.url ?? '/', 'http://x').searchParams.get('token');
}

/** Constant-time comparison (hashes first, so lengths leak nothing either). */
export function tokenMatches(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * DNS rebinding guard for plain HTTP on a loopback-bound server: a page on another site whose name
 * the attacker points at 127.0.0.1 reaches the server with its own name in `Host`. When the server is
 * bound to loopback, only requests naming a loopback host pass. A server bound to another address
 * needs a token anyway, and is reached by whatever names the network gives it.
 */
export function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopbackHost(boundHost)) return true;
  const header = req.headers.host;
  if (!header) return true; // HTTP/1.0 clients and curl --http1.0 send none; browsers always do
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d+$/, '');
  return isLoopbackHost(name);
}
