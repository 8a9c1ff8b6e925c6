/**
 * The clients of `npm run bench -- feed-load`, in a process of their own (as real monitors and chat
 * clients are), so the bench's figures are the servers' cost, not the clients'. Forked by
 * bench/feedLoad.ts with one JSON argument (ClientPlan); talks to it over the IPC channel:
 * sends `{ready}` once every client is connected, then `{report}` when done, and exits.
 */
import WebSocket from 'ws';
import { connectGenerate } from '../src/streams/feed/generateClient.ts';

export interface ClientPlan {
  /** Feed clients: `full` of them subscribed to everything, the rest to `lightTypes`; the first full one never reads. */
  readonly feed?: { readonly url: string; readonly clients: number; readonly full: number; readonly lightTypes: readonly string[]; readonly paused: boolean };
  /** Generation clients, one request each; the first (prompt "slow") never reads when `paused`. */
  readonly generate?: { readonly url: string; readonly clients: number; readonly paused: boolean };
}

export interface ClientReport {
  /** Per feed client: events received and events skipped (from `lagged`), the paused one first. */
  readonly feed: Array<{ events: number; skipped: number }>;
  /** Milliseconds from `go` until every reading generation client had its `done`; tokens they got. */
  readonly generate?: { readonly ms: number; readonly tokens: number; readonly queuedNotices: number };
}

async function main(plan: ClientPlan): Promise<void> {
  const send = (m: object) => process.send!(m);
  const feed: Array<{ ws: WebSocket; events: number; skipped: number; ended: Promise<void> }> = [];
  if (plan.feed) {
    const f = plan.feed;
    for (let i = 0; i < f.clients; i++) {
      const ws = new WebSocket(i < f.full ? f.url : `${f.url}?types=${f.lightTypes.join(',')}`);
      let end!: () => void;
      const c = { ws, events: 0, skipped: 0, ended: new Promise<void>((r) => (end = r)) };
      ws.on('message', (data) => {
        const m = JSON.parse(String(data)) as { type: string; skipped?: number };
        if (m.type === 'lagged') c.skipped += m.skipped!;
        else if (m.type !== 'snapshot') c.events++;
        if (m.type === 'run/end') end();
      });
      ws.on('close', () => end());
      ws.on('error', () => undefined);
      await new Promise((r) => ws.once('open', r));
      feed.push(c);
    }
    if (f.paused) feed[0].ws.pause();
  }
  const gens = plan.generate ? await Promise.all(Array.from({ length: plan.generate.clients }, () => connectGenerate(plan.generate!.url))) : [];
  if (plan.generate?.paused) (gens[0].ws as unknown as { _socket: { pause(): void } })._socket.pause();
  send({ ready: true });

  await new Promise<void>((resolve) => process.once('message', () => resolve())); // "go"
  let generate: ClientReport['generate'];
  if (plan.generate) {
    const t0 = performance.now();
    let tokens = 0;
    let queuedNotices = 0;
    if (plan.generate.paused) gens[0].generate('slow', {}, () => undefined).done.catch(() => undefined);
    const readers = plan.generate.paused ? gens.slice(1) : gens;
    await Promise.all(readers.map((c, i) => c.generate(`p${i}`, {}, () => tokens++, () => queuedNotices++).done));
    generate = { ms: performance.now() - t0, tokens, queuedNotices };
  }
  const reading = plan.feed?.paused ? feed.slice(1) : feed;
  await Promise.all(reading.map((c) => c.ended));
  if (plan.feed?.paused) feed[0].ws.resume();
  await Promise.race([feed[0]?.ended, new Promise((r) => setTimeout(r, 10_000))]);
  send({ report: { feed: feed.map((c) => ({ events: c.events, skipped: c.skipped })), generate } satisfies ClientReport });
  for (const c of feed) c.ws.terminate();
  for (const g of gens) g.ws.terminate();
  process.disconnect();
}

if (process.send && process.argv[2]) await main(JSON.parse(process.argv[2]) as ClientPlan);
