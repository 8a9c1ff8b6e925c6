import { WebSocket } from 'ws';
import type { TrainEventType } from '../../core/events.ts';

/**
 * One connected feed client: its subscription and a bounded outbound queue. The feed hands it
 * already-serialised messages and never waits: while the socket's `bufferedAmount` is above
 * `highWaterBytes` messages wait in the queue; once `maxQueue` wait, further events are skipped and
 * counted, and the next message delivered is preceded by `{type:'lagged', skipped}`. Memory per client
 * is thus ≤ maxQueue messages + highWaterBytes (+ the few `keep` ones). run/start, run/end and the
 * snapshot are never skipped; replies (pong, error, subscribed) are dropped like events when full.
 */
export class FeedClient {
  types: Set<TrainEventType>;
  /** Heartbeat: cleared on each ping, set by the pong. */
  alive = true;
  sent = 0;
  dropped = 0;
  laggedNotices = 0;
  maxQueued = 0;
  private readonly queue: string[] = [];
  private skipped = 0;

  constructor(
    readonly ws: WebSocket,
    types: Iterable<TrainEventType>,
    private readonly maxQueue: number,
    private readonly highWaterBytes: number,
  ) {
    this.types = new Set(types);
  }

  /** Offers one event (already JSON); ignored if the client did not subscribe to its type. */
  offerEvent(type: TrainEventType, json: string): void {
    if (!this.types.has(type)) return;
    this.enqueue(json, type === 'run/start' || type === 'run/end', true);
  }

  /** Sends a control message; `keep` ones are never dropped (the client asked for them once). */
  reply(msg: object, keep: boolean): void {
    this.enqueue(JSON.stringify(msg), keep, false);
  }

  get queued(): number {
    return this.queue.length;
  }

  private enqueue(data: string, keep: boolean, isEvent: boolean): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (!keep && this.queue.length >= this.maxQueue) {
      if (isEvent) {
        this.skipped++;
        this.dropped++;
      }
      return;
    }
    if (this.skipped > 0) {
      this.queue.push(JSON.stringify({ type: 'lagged', skipped: this.skipped }));
      this.laggedNotices++;
      this.skipped = 0;
    }
    this.queue.push(data);
    if (this.queue.length > this.maxQueued) this.maxQueued = this.queue.length;
    this.pump();
  }

  /** Moves queued messages to the socket while it keeps up; re-run by each send's completion callback. */
  private pump = (): void => {
    while (this.queue.length > 0 && this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount < this.highWaterBytes) {
      this.ws.send(this.queue.shift()!, this.onSent);
      this.sent++;
    }
  };

  // A send completes when the kernel has taken the bytes: room again, so try the queue.
  private onSent = (err?: Error): void => {
    if (!err) this.pump();
  };
}
