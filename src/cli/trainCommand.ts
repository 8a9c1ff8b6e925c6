import { join } from 'node:path';
import { connectable, lastValueFrom, type Observable, Subject } from 'rxjs';
import { loadConfig } from '../pipeline/loadConfig.ts';
import type { Config } from '../core/config/schema.ts';
import { formatEvent } from '../dashboard/formatEvent.ts';
import { historyCsv } from '../dashboard/historyCsv.ts';
import { metricsJsonl } from '../dashboard/metricsJsonl.ts';
import { plainReporter } from '../dashboard/plainReporter.ts';
import { renderTui } from '../dashboard/renderTui.tsx';
import { setupBackend } from '../model/backend/setupBackend.ts';
import { backendVetoes } from '../pipeline/train/memoryPlan.ts';
import { createTrainRun } from '../pipeline/train/trainRun.ts';
import { createPrefRun } from '../pipeline/prefs/prefRun.ts';
import type { RunControls } from '../core/controls.ts';
import type { TrainEvent } from '../core/events.ts';
import { type FeedHandle, startFeed } from '../streams/feed/wsFeed.ts';
import type { CliIO } from './io.ts';
import { parseArgs, takeFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const TRAIN_HELP = `versiflow train [--config NAME|PATH] [--KEY VALUE ...]
  --config NAME|PATH   a file in configs/ (tiny, 75m, ...) or a YAML path (default tiny)
  --data PATH|GLOB     corpus (.parquet, .jsonl, .txt, directory, glob)
  --max-steps N --log-every N --eval-every N --seed N --backend auto|tensorflow|webgpu|wasm|cpu
  --out DIR --resume latest|PATH --reporter auto|tui|plain|json|none
  --task kto|dpo --init-from CKPT --data prefs.jsonl   preference tuning (config kto or dpo; docs/chat.md)
  --decay-from CKPT --decay-steps N   WSD decay-only tail from a stable-phase checkpoint (docs/checkpoints.md)
  --ws-port N (0 = any free port) --ws-host ADDR --ws-token T --no-ws
  --ws-origins LIST (browser origins allowed, * = any) --ws-max-clients N (default 64)
  any config key as --key-name value; \`versiflow config\` lists them`;

/** The signals that stop a run cleanly (the first) or at once (the second), with their numbers for the 128+n exit code. */
export const STOP_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type StopSignal = keyof typeof STOP_SIGNALS;

/**
 * `versiflow train`: builds the run from config + flags, attaches the sinks, runs to the end.
 * SIGINT, SIGTERM and SIGHUP (from `signals`) stop it after the current step with a checkpoint, and
 * it returns 0 naming the signal; a second one of any of them calls `exit(128 + n)` at once, leaving
 * the last complete checkpoint.
 */
export async function trainCommand(args: readonly string[], io: CliIO, signals: NodeJS.EventEmitter = process, exit: (code: number) => void = (code) => process.exit(code)): Promise<number> {
  let onSignal: ((sig: StopSignal) => void) | undefined;
  let stoppedBy: StopSignal | undefined;
  const handlers = new Map<StopSignal, () => void>();
  let feed: FeedHandle | undefined;
  try {
    const { positional, flags } = parseArgs(args, ['help']);
    if (flags.help) {
      io.stdout.write(`${TRAIN_HELP}\n`);
      return 0;
    }
    if (positional.length > 0) throw new Error(`train: unexpected argument "${positional[0]}"`);
    // kto and dpo start from their own config (lr 5e-6, β 0.1, ... as the reference run), not tiny's pretraining rates
    const { config: name = flags.task === 'kto' || flags.task === 'dpo' ? flags.task : 'tiny' } = takeFlags(flags, ['config']);
    const cfg = loadConfig(name, flags);
    const backend = await setupBackend(cfg.backend, { skip: backendVetoes(cfg), kernels: cfg.kernels, matmulTiles: cfg.matmulTiles });
    const run = cfg.task === 'kto' || cfg.task === 'dpo' ? await createPrefRun(cfg, backend) : await createTrainRun(cfg, backend, Date.now, { onDataProgress: preparationReporter(cfg, io) });
    // every sink subscribes before the run starts, so each sees run/start
    const events$ = connectable(run.events$, { connector: () => new Subject(), resetOnDisconnect: false });
    events$.subscribe(historyCsv(join(run.runDir, 'history.csv')));
    events$.subscribe(metricsJsonl(join(run.runDir, 'metrics.jsonl')));
    feed = cfg.ws ? await openFeed(events$, cfg, io) : undefined;
    const tui = attachReporter(events$, cfg, io, run.controls);
    onSignal = (sig) => {
      stoppedBy = sig;
      io.stderr.write(`\n${sig}: stopping after this step (writing a checkpoint); send it again (or Ctrl-C) to stop at once\n`);
      run.controls.stop();
      onSignal = (again) => {
        io.stderr.write(`${again}: stopping at once; the last complete checkpoint is kept\n`);
        exit(128 + STOP_SIGNALS[again]);
      };
    };
    for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
      handlers.set(sig, () => onSignal?.(sig));
      signals.on(sig, handlers.get(sig)!);
    }
    const done = lastValueFrom(events$);
    events$.connect();
    let end: TrainEvent | undefined;
    try {
      end = await done;
    } finally {
      for (const [sig, h] of handlers) signals.off(sig, h);
      await tui?.waitUntilExit();
    }
    if (stoppedBy) {
      const ckpt = end?.type === 'run/end' && end.checkpoint ? `; checkpoint ${end.checkpoint}` : '';
      io.stderr.write(`stopped on ${stoppedBy} at step ${end?.step ?? run.startStep}${ckpt}\n`);
    }
    return 0;
  } catch (e) {
    return reportError(e, io);
  } finally {
    await feed?.close();
  }
}

/**
 * Where data/progress goes while the corpus is prepared, before the sinks attach (they get the
 * summaries, `done`, after run/start): a line each on stdout for plain, a JSON line for json, and
 * for the TUI (not drawn yet) one line on stderr rewritten in place.
 */
function preparationReporter(cfg: Pick<Config, 'reporter'>, io: CliIO): (e: TrainEvent) => void {
  const mode = cfg.reporter === 'auto' ? (io.stdout.isTTY ? 'tui' : 'plain') : cfg.reporter;
  const live = (e: TrainEvent) => !(e.type === 'data/progress' && e.done); // the summaries come again after run/start
  if (mode === 'json') return (e) => live(e) && io.stdout.write(`${JSON.stringify(e)}\n`);
  if (mode === 'plain') return (e) => live(e) && io.stdout.write(`${formatEvent(e)}\n`);
  if (mode === 'tui') return (e) => io.stderr.write(`\r${formatEvent(e)}\x1b[K${e.type === 'data/progress' && e.done ? '\n' : ''}`);
  return () => undefined;
}

/** The live reporter: Ink TUI on a terminal (`auto`), plain lines otherwise; `json` prints events as JSON lines. */
function attachReporter(events$: Observable<TrainEvent>, cfg: Pick<Config, 'reporter'>, io: CliIO, controls: RunControls) {
  const mode = cfg.reporter === 'auto' ? (io.stdout.isTTY ? 'tui' : 'plain') : cfg.reporter;
  if (mode === 'tui') return renderTui(events$, { stdout: io.stdout as NodeJS.WriteStream, controls });
  if (mode === 'plain') events$.subscribe(plainReporter(io.stdout));
  if (mode === 'json') events$.subscribe({ next: (e) => io.stdout.write(`${JSON.stringify(e)}\n`), error: () => {} }); // reported once, below
  return undefined;
}

/** Serves the run's events on ws://host:port; a busy port is a warning, not a failed run. */
async function openFeed(events$: Observable<TrainEvent>, cfg: Pick<Config, 'ws' | 'wsPort' | 'wsHost' | 'wsToken' | 'wsOrigins' | 'wsMaxClients' | 'name'>, io: CliIO): Promise<FeedHandle | undefined> {
  try {
    const feed = await startFeed(events$, { port: cfg.wsPort, host: cfg.wsHost, token: cfg.wsToken, origins: cfg.wsOrigins, maxClients: cfg.wsMaxClients });
    io.stdout.write(`live feed: ${feed.url} (metrics: http://${cfg.wsHost}:${feed.port}/metrics)\n`);
    return feed;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') {
      io.stderr.write(`warning: ws_port ${cfg.wsPort} is in use; training without the live feed (use --ws-port 0 for any free port)\n`);
      return undefined;
    }
    throw e;
  }
}
