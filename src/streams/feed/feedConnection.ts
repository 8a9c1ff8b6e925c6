import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { EVENT_TYPES } from '../../core/events.ts';
import { FeedClient } from './feedClient.ts';
import { parseClientMessage, parseTypeList } from './feedProtocol.ts';
import type { FeedRegistry } from './feedRegistry.ts';
import { type FeedState, snapshotMessage } from './feedState.ts';
import { ClientGuard, type MessageLimits, POLICY_CLOSE_REASON, POLICY_VIOLATION } from './wsGuard.ts';

/** Above this many bytes unsent on a socket, messages wait in the client's own bounded queue. */
const HIGH_WATER_BYTES = 256 * 1024;

export interface FeedConnectionContext {
  readonly registry: FeedRegistry;
  readonly state: FeedState;
  readonly limits: MessageLimits;
  /** Messages waiting per client before events are skipped. */
  readonly maxQueue: number;
  readonly now: () => number;
}

/**
 * Takes one upgraded socket into the feed: its `?types=` filter (a bad list closes it with 1008), the
 * heartbeat's pong, subscribe/unsubscribe/ping messages under the client's rate limit and strikes,
 * then the snapshot as its first message.
 */
export function acceptFeedClient(ws: WebSocket, req: IncomingMessage, ctx: FeedConnectionContext): void {
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('types');
  const types = query ? parseTypeList(query.split(',').map((t) => t.trim()).filter(Boolean)) : [...EVENT_TYPES];
  if ('error' in types) {
    ws.send(JSON.stringify({ type: 'error', message: `?types=: ${types.error}` }));
    ws.close(1008, 'bad types');
    return;
  }
  const client = new FeedClient(ws, types, ctx.maxQueue, HIGH_WATER_BYTES);
  ctx.registry.clients.add(client);
  ws.on('pong', () => (client.alive = true));
  ws.on('close', () => ctx.registry.retire(client));
  // a socket error (reset, oversized frame) is followed by 'close'; nothing else to do
  ws.on('error', () => undefined);
  const guard = new ClientGuard(ctx.limits, ctx.now);
  // a bad or excess message: an error for it; too many of them: 1008
  const penalize = (message: string) => {
    if (!guard.strike()) return client.reply({ type: 'error', message }, false);
    client.reply({ type: 'error', message: `${message}; ${guard.closingMessage()}` }, true);
    ctx.registry.policyClosed++;
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
  client.reply(snapshotMessage(ctx.state, ctx.now()), true);
}
