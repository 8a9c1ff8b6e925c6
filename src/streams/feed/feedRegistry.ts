import type { FeedClient } from './feedClient.ts';

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

/**
 * The feed's connected clients and its counters. A client's own counts fold into the totals when it
 * is retired (closed, terminated or cut off at shutdown), so `stats()` covers clients that have left.
 */
export class FeedRegistry {
  readonly clients = new Set<FeedClient>();
  readonly refused = { origin: 0, token: 0, full: 0 };
  events = 0;
  terminated = 0;
  policyClosed = 0;
  private readonly gone = { sent: 0, dropped: 0, laggedNotices: 0, maxQueued: 0 };

  retire(c: FeedClient): void {
    if (!this.clients.delete(c)) return;
    this.gone.sent += c.sent;
    this.gone.dropped += c.dropped;
    this.gone.laggedNotices += c.laggedNotices;
    this.gone.maxQueued = Math.max(this.gone.maxQueued, c.maxQueued);
  }

  /** One heartbeat: terminate clients that did not answer the last ping, ping the rest. */
  beat(): void {
    for (const c of this.clients) {
      if (!c.alive) {
        this.terminated++;
        c.ws.terminate();
        this.retire(c);
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  stats(): FeedStats {
    const live = [...this.clients];
    const sum = (f: (c: FeedClient) => number) => live.reduce((s, c) => s + f(c), 0);
    return {
      clients: live.length,
      events: this.events,
      sent: this.gone.sent + sum((c) => c.sent),
      dropped: this.gone.dropped + sum((c) => c.dropped),
      laggedNotices: this.gone.laggedNotices + sum((c) => c.laggedNotices),
      terminated: this.terminated,
      refused: { ...this.refused },
      policyClosed: this.policyClosed,
      maxQueued: Math.max(this.gone.maxQueued, ...live.map((c) => c.maxQueued)),
    };
  }
}
