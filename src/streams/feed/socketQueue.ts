import { WebSocket } from 'ws';

/**
 * A bounded outbound queue for one socket with backpressure for its producer: `send` resolves at
 * once while fewer than `maxQueue` messages wait, otherwise when the socket has drained below
 * that. Messages move to the socket while its `bufferedAmount` is under `highWaterBytes`. So a slow
 * reader pauses only the generations writing to it (each awaits its own queue); others go on.
 * Memory per client ≤ maxQueue messages + highWaterBytes.
 */
export class SocketQueue {
  private readonly queue: string[] = [];
  private waiters: (() => void)[] = [];
  maxQueued = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly maxQueue: number,
    private readonly highWaterBytes: number,
  ) {
    ws.on('close', () => this.release());
  }

  /** Queues one message; resolves when the producer may send the next one (at once unless the queue is full). */
  send(msg: object): Promise<void> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve();
    this.queue.push(JSON.stringify(msg));
    this.maxQueued = Math.max(this.maxQueued, this.queue.length);
    this.pump();
    if (this.queue.length < this.maxQueue) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  get queued(): number {
    return this.queue.length;
  }

  /** True while `maxQueue` messages wait: the promise the last `send` returned is still pending. */
  get full(): boolean {
    return this.queue.length >= this.maxQueue;
  }

  private pump = (): void => {
    while (this.queue.length > 0 && this.ws.readyState === WebSocket.OPEN && this.ws.bufferedAmount < this.highWaterBytes) {
      this.ws.send(this.queue.shift()!, this.onSent);
    }
    if (this.queue.length < this.maxQueue) this.release();
  };

  // a send completes when the kernel has taken the bytes: room again
  private onSent = (err?: Error): void => {
    if (!err) this.pump();
  };

  private release(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }
}
