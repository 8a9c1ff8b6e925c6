import type { ClientGenerateOptions, GenerateLimits, GeneratePrompt, GenerateServerMessage } from './generateProtocol.ts';
import type { SocketQueue } from './socketQueue.ts';
import type { TokenSource } from './generateServer.ts';

/** One client of the generation server, as the scheduler sees it. */
export interface GenerateConnection {
  readonly q: SocketQueue;
  /** This connection's requests, running or waiting, by id. */
  readonly jobs: Map<string, Job>;
}

interface Job {
  readonly id: string;
  readonly prompt: GeneratePrompt;
  readonly options: ClientGenerateOptions;
  readonly conn: GenerateConnection;
  cancelled: boolean;
  /** Last position announced in a `queued` message (0: none). */
  position: number;
}

/**
 * The generation server's slots and queue. At most `limits.maxConcurrent` requests run at once, each
 * as its own async loop over `source`, so they interleave token by token on the event loop; the others
 * wait in one FIFO queue (bounded by `limits.maxQueued`), told their position with `queued` messages.
 * A generation whose client stops reading gives up its slot (parks) until the client reads again, then
 * takes a slot back before queued requests do: a slow reader never holds a slot others could compute in.
 */
export class GenerateScheduler {
  private readonly waiting: Job[] = [];
  private running = 0;
  /** Generations waiting for their client to read (they gave up their slot). */
  private parkedCount = 0;
  /** Parked generations whose client read again, ready to take a slot back. */
  private readonly resuming: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly source: TokenSource,
    private readonly limits: GenerateLimits,
    private readonly now: () => number,
  ) {}

  active(): number {
    return this.running;
  }

  parked(): number {
    return this.parkedCount;
  }

  queued(): number {
    return this.waiting.length;
  }

  /** Runs the request now if a slot is free and nobody waits, else queues it (or refuses it when the queue is full). */
  submit(conn: GenerateConnection, id: string, prompt: GeneratePrompt, options: ClientGenerateOptions): void {
    if (this.closed) return;
    const error = (message: string) => void conn.q.send({ type: 'error', id, message } satisfies GenerateServerMessage);
    if (conn.jobs.has(id)) return error(`a generation with id "${id}" is already running or queued on this connection`);
    const job: Job = { id, prompt, options, conn, cancelled: false, position: 0 };
    if (this.running < this.limits.maxConcurrent && this.waiting.length === 0) {
      conn.jobs.set(id, job);
      return this.start(job);
    }
    if (this.waiting.length >= this.limits.maxQueued) {
      const { maxConcurrent, maxQueued } = this.limits;
      return error(`server busy: ${this.running} generation(s) running and ${this.waiting.length} waiting (serve --max-concurrent ${maxConcurrent}, --max-queued ${maxQueued}); try again later`);
    }
    conn.jobs.set(id, job);
    this.waiting.push(job);
    this.announce();
  }

  /** Stops a running generation before its next token, or takes a waiting one out of the queue. */
  cancel(conn: GenerateConnection, id: string): void {
    const job = conn.jobs.get(id);
    if (!job) return;
    job.cancelled = true;
    if (this.unqueue(job)) {
      void conn.q.send({ type: 'done', id, tokens: 0, tokPerSec: 0, finish: 'cancelled' } satisfies GenerateServerMessage);
      this.announce();
    }
  }

  /** A client left: its generations stop, its waiting requests leave the queue. */
  disconnect(conn: GenerateConnection): void {
    let left = false;
    for (const j of [...conn.jobs.values()]) {
      j.cancelled = true;
      left = this.unqueue(j) || left;
    }
    if (left) this.announce();
  }

  /** No more requests; queued ones are dropped, running ones stop at their next token. */
  close(connections: Iterable<GenerateConnection>): void {
    this.closed = true;
    this.waiting.length = 0;
    for (const c of connections) for (const j of c.jobs.values()) j.cancelled = true;
  }

  private start(job: Job): void {
    this.running++;
    void this.run(job);
  }

  /** Fills free slots: parked generations whose client read again first, then queued requests in order; tells the rest their positions. */
  private pump(): void {
    while (this.running < this.limits.maxConcurrent) {
      if (this.resuming.length > 0) {
        this.running++;
        this.resuming.shift()!();
      } else if (this.waiting.length > 0) this.start(this.waiting.shift()!);
      else break;
    }
    this.announce();
  }

  private announce(): void {
    this.waiting.forEach((j, i) => {
      if (j.position === i + 1) return;
      j.position = i + 1;
      void j.conn.q.send({ type: 'queued', id: j.id, position: j.position } satisfies GenerateServerMessage);
    });
  }

  private unqueue(job: Job): boolean {
    const i = this.waiting.indexOf(job);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    job.conn.jobs.delete(job.id);
    return true;
  }

  private async run(job: Job): Promise<void> {
    const { q, jobs } = job.conn;
    const id = job.id;
    const t0 = this.now();
    let n = 0;
    let finish: 'eos' | 'length' | 'stop' | 'cancelled' = 'length';
    const slot = { holding: true }; // counted in `running`
    try {
      for await (const t of this.source(job.prompt, job.options)) {
        if (job.cancelled) break;
        n++;
        if (t.finish) finish = t.finish;
        await this.sendToken(job, slot, { type: 'token', id, text: t.text, tokenId: t.id, logprob: t.logprob, ...(t.green === undefined ? {} : { green: t.green }) });
        // On cpu/wasm a token's read resolves without a macrotask: yield, or one generation would
        // starve the sockets (other clients' requests, this client's cancel) until it ends.
        await new Promise((r) => setImmediate(r));
        if (job.cancelled) break;
      }
      if (job.cancelled) finish = 'cancelled';
      const s = (this.now() - t0) / 1000;
      // the last message is not awaited: the generation is over, its slot is free for the next
      void q.send({ type: 'done', id, tokens: n, tokPerSec: s > 0 ? n / s : 0, finish } satisfies GenerateServerMessage);
    } catch (e) {
      void q.send({ type: 'error', id, message: (e as Error).message } satisfies GenerateServerMessage);
    } finally {
      jobs.delete(id);
      if (slot.holding) this.running--;
      this.pump();
    }
  }

  /**
   * Sends one token. A client that stops reading fills its queue; its generation then gives up its
   * slot (parks) until the client reads, and takes a slot again (before queued requests) to go on.
   * At most maxQueued park at once.
   */
  private async sendToken(job: Job, slot: { holding: boolean }, msg: GenerateServerMessage): Promise<void> {
    const { q } = job.conn;
    const sent = q.send(msg);
    if (!q.full || this.parkedCount >= this.limits.maxQueued) return sent;
    slot.holding = false;
    this.running--;
    this.parkedCount++;
    this.pump();
    try {
      await sent;
    } finally {
      this.parkedCount--;
    }
    if (job.cancelled) return;
    await new Promise<void>((resolve) => {
      this.resuming.push(resolve);
      this.pump();
    });
    slot.holding = true;
  }
}
