import { type ChildProcess, fork } from 'node:child_process';
import { join } from 'node:path';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Subject } from 'rxjs';
import type { TrainEvent, TrainEventType } from '../src/core/events.ts';
import type { Token } from '../src/model/nn/generate.ts';
import { startGenerateServer, type TokenSource } from '../src/streams/feed/generateServer.ts';
import { startFeed } from '../src/streams/feed/wsFeed.ts';
import type { ClientPlan, ClientReport } from './feedLoadClients.ts';
import { type BenchInput, packageInput, REPO_ROOT, repoFile } from './inputs.ts';

const CLIENTS_SCRIPT = 'bench/feedLoadClients.ts';
const FULL = 10;
const LIGHT_TYPES: TrainEventType[] = ['run/start', 'train/step', 'eval', 'run/end'];
const GEN_TOKENS = 64;
const TOKEN_WORK_MS = 0.5;

export const FEED_LOAD_OPTIONS = '[--steps N (300)] [--step-ms MS (20)] [--feed-clients N (200)] [--gen-clients N (50)]';

interface FeedLoadOptions {
  readonly steps: number;
  /** Busy work per simulated step, ms (the tiny config's steps on two CPU cores are tens of ms). */
  readonly stepMs: number;
  readonly feedClients: number;
  readonly genClients: number;
}

/** `--steps N --step-ms MS --feed-clients N --gen-clients N` → options; throws on anything else. */
export function feedLoadArgs(args: readonly string[]): FeedLoadOptions {
  const o = { steps: 300, stepMs: 20, feedClients: 200, genClients: 50 };
  const keys: Record<string, keyof typeof o> = { '--steps': 'steps', '--step-ms': 'stepMs', '--feed-clients': 'feedClients', '--gen-clients': 'genClients' };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    const n = Number(v);
    if (!(k in keys) || v === undefined || !Number.isInteger(n) || n < 2) throw new Error(`feed-load: bad option "${k} ${v ?? ''}"; options: ${FEED_LOAD_OPTIONS} (integers ≥ 2)`);
    o[keys[k]] = n;
  }
  return o;
}

/** What `npm run bench -- feed-load --check` verifies: the client process it forks and the packages both sides load. */
export function feedLoadInputs(): BenchInput[] {
  return [
    repoFile('script', CLIENTS_SCRIPT, 'forked: the 200 feed and 50 generation clients, in their own process'),
    packageInput('ws', 'WebSocket servers and clients'),
    packageInput('tsx', 'loads the client process (node --import tsx)'),
    packageInput('rxjs', 'the event stream the feed subscribes to'),
  ];
}

/** Spins for `ms` of CPU: a stand-in for a training step's work. */
function work(ms: number): void {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  if (x < 0) console.log(x);
}

/** One step's events, like a run with log_every 1: a train/step each step, an eval every 50, a 2 KB sample every 10. */
function stepEvents(o: FeedLoadOptions, step: number, time: number): TrainEvent[] {
  const ev: TrainEvent[] = [
    {
      type: 'train/step', step, time, epoch: step / o.steps, loss: 4 / (1 + step / 10), lr: 3e-4, gradNorm: 1, tokens: step * 2048, tokPerSec: 20_000,
      ms: o.stepMs, hostMs: o.stepMs, elapsedS: step / 50, etaS: 1, totalSteps: o.steps, memBytes: 52_000_000, numTensors: 321,
    },
  ];
  if (step % 50 === 0) ev.push({ type: 'eval', step, time, valLoss: 2, ppl: Math.exp(2), bestValLoss: 2 });
  if (step % 10 === 0) ev.push({ type: 'sample', step, time, prompt: 'The moon ', text: 'x'.repeat(2000) });
  return ev;
}

/** Forks the client process with `plan`; resolves once its clients are connected. */
async function clients(plan: ClientPlan): Promise<{ go: () => Promise<ClientReport>; child: ChildProcess }> {
  const child = fork(join(REPO_ROOT, CLIENTS_SCRIPT), [JSON.stringify(plan)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const report = new Promise<ClientReport>((resolve, reject) => {
    child.on('message', (m: { report?: ClientReport }) => m.report && resolve(m.report));
    child.once('exit', (code) => reject(new Error(`${CLIENTS_SCRIPT} exited ${code} before reporting`)));
  });
  await new Promise<void>((resolve, reject) => {
    child.on('message', (m: { ready?: boolean }) => m.ready && resolve());
    child.once('exit', (code) => reject(new Error(`${CLIENTS_SCRIPT} exited ${code} before its clients connected`)));
  });
  return { child, go: () => (child.send('go'), report) };
}

/** Runs `o.steps` simulated steps emitting to a feed; ms per step (median) and the clients' report. */
async function trainPhase(o: FeedLoadOptions, load: boolean): Promise<{ msPerStep: number; report?: ClientReport; dropped: number; sent: number }> {
  const events = new Subject<TrainEvent>();
  const feed = await startFeed(events, { port: 0, maxClients: o.feedClients + 8 });
  const c = load ? await clients({ feed: { url: feed.url, clients: o.feedClients, full: FULL, lightTypes: LIGHT_TYPES, paused: true } }) : undefined;
  const done = c?.go();
  const times: number[] = [];
  events.next({ type: 'run/start', step: 0, time: Date.now(), name: 'bench', config: {}, params: 1, backend: 'cpu', device: 'bench', data: 'none', totalSteps: o.steps, trainTokens: 1, valTokens: 1, vocabSize: 1 });
  for (let step = 1; step <= o.steps; step++) {
    const t0 = performance.now();
    work(o.stepMs);
    for (const e of stepEvents(o, step, Date.now())) events.next(e);
    await yieldToLoop(); // as pullThrough does between steps: sockets get their turn here
    times.push(performance.now() - t0);
  }
  events.next({ type: 'run/end', step: o.steps, time: Date.now(), reason: 'completed', elapsedS: 1, finalLoss: 1 });
  const report = await done;
  const { dropped, sent } = feed.stats();
  await feed.close();
  times.sort((a, b) => a - b);
  return { msPerStep: times[Math.floor(times.length / 2)], report, dropped, sent };
}

/** Tokens with TOKEN_WORK_MS of CPU each; "slow" streams 64 KiB tokens (fills its reader's socket). */
const source: TokenSource = async function* (prompt): AsyncGenerator<Token> {
  const slow = prompt === 'slow';
  const n = slow ? 400 : GEN_TOKENS;
  for (let index = 0; index < n; index++) {
    work(TOKEN_WORK_MS);
    yield { index, id: index, text: slow ? 'y'.repeat(64 * 1024) : 'tok ', logprob: -1, ...(index === n - 1 ? { finish: 'length' as const } : {}) };
  }
};

/** `o.genClients` requests (one paused reader among them, or not): ms until every reading client is done. */
async function generatePhase(o: FeedLoadOptions, paused: boolean): Promise<ClientReport['generate']> {
  const gen = await startGenerateServer(source, { port: 0, model: { vocabSize: 1, context: 8, watermark: null }, maxQueued: o.genClients, maxQueue: 16 });
  const c = await clients({ generate: { url: gen.url, clients: paused ? o.genClients : o.genClients - 1, paused } });
  const report = await c.go();
  await gen.close();
  return report.generate;
}

/**
 * The run's step time under feed load, and generation under a paused reader. The feed phase runs
 * `--steps` simulated steps (`--step-ms` of CPU, then a train/step, evals and 2 KB samples, then a
 * yield to the event loop) with no client, then with `--feed-clients` clients in another process (10
 * subscribed to everything, one of them paused; the rest to train/step, eval, run/start, run/end), and
 * again alone; the ratio is median ms/step with the load over without. The generation phase times
 * `--gen-clients` - 1 requests of 64 tokens (default 2 at once, the rest queued) with and without a
 * paused reader (which gives its slot up while it does not read). Run: `npm run bench -- feed-load [options]`.
 */
export async function benchFeedLoad(args: readonly string[] = []): Promise<void> {
  const o = feedLoadArgs(args);
  console.log(`feed-load: ${o.steps} steps of ${o.stepMs} ms CPU each; ${o.feedClients} feed clients (${FULL} full, 1 paused), ${o.genClients} generation clients; clients in a separate process`);
  const base1 = await trainPhase(o, false);
  const loaded = await trainPhase(o, true);
  const base2 = await trainPhase(o, false);
  const base = Math.min(base1.msPerStep, base2.msPerStep);
  const reading = loaded.report!.feed.slice(1);
  const events = reading.map((r) => r.events);
  const paused = loaded.report!.feed[0];
  console.log(
    `train: median ms/step without clients ${base1.msPerStep.toFixed(2)} / ${base2.msPerStep.toFixed(2)}, with ${o.feedClients} clients ${loaded.msPerStep.toFixed(2)}: ` +
      `ratio ${(loaded.msPerStep / base).toFixed(3)} (+${(loaded.msPerStep - base).toFixed(2)} ms a step for ${(loaded.sent / o.steps).toFixed(0)} messages sent a step: ` +
      `${(((loaded.msPerStep - base) / (loaded.sent / o.steps)) * 1000).toFixed(1)} µs each)`,
  );
  console.log(
    `  reading clients got ${Math.min(...events)}–${Math.max(...events)} events, skipped ${reading.reduce((n, r) => n + r.skipped, 0)}; ` +
      `paused client got ${paused.events}, skipped ${paused.skipped} (feed dropped ${loaded.dropped})`,
  );
  const alone = (await generatePhase(o, false))!;
  const withPaused = (await generatePhase(o, true))!;
  console.log(
    `generate: ${o.genClients - 1} requests × ${GEN_TOKENS} tokens (${TOKEN_WORK_MS} ms CPU each, 2 at once): ${alone.ms.toFixed(0)} ms without a paused reader, ` +
      `${withPaused.ms.toFixed(0)} ms with one: ratio ${(withPaused.ms / alone.ms).toFixed(3)}; tokens ${alone.tokens} / ${withPaused.tokens}, ` +
      `queued notices ${alone.queuedNotices} / ${withPaused.queuedNotices}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchFeedLoad(process.argv.slice(2));
