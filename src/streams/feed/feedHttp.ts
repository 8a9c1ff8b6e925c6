import type { IncomingMessage, ServerResponse } from 'node:http';
import { hostAllowed } from './feedAuth.ts';

export interface FeedHttpContext {
  /** The address the server is bound to (the DNS rebinding guard applies on loopback). */
  readonly host: string;
  readonly authorized: (req: IncomingMessage) => boolean;
  readonly health: () => object;
  readonly metrics: () => string;
}

/**
 * The feed's plain HTTP side: `GET /healthz` (JSON, never needs the token), `GET /metrics`
 * (Prometheus text 0.0.4, the token when one is set), 404 for anything else, 405 for other methods,
 * 421 for a request that names a foreign host on a loopback-bound server (DNS rebinding).
 */
export function feedHttpHandler(ctx: FeedHttpContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD') return text(res, 405, 'method not allowed; use GET\n', { allow: 'GET, HEAD' });
    if (!hostAllowed(req, ctx.host)) {
      return text(res, 421, `misdirected request: Host ${JSON.stringify(req.headers.host)} is not this machine's loopback name; use http://127.0.0.1:PORT or http://localhost:PORT\n`);
    }
    if (path === '/healthz') return text(res, 200, `${JSON.stringify(ctx.health())}\n`, { 'content-type': 'application/json' });
    if (path === '/metrics') {
      if (!ctx.authorized(req)) return text(res, 401, 'unauthorized: send Authorization: Bearer <ws_token>\n', { 'www-authenticate': 'Bearer' });
      return text(res, 200, ctx.metrics(), { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    }
    return text(res, 404, 'not found: this server has GET /metrics, GET /healthz and the WebSocket feed\n');
  };
}

function text(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
