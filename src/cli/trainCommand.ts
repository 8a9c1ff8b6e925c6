import { join } from 'node:path';
import { connectable, filter, lastValueFrom, type Observable, type Observer, Subject } from 'rxjs';
import { loadConfig } from '../pipeline/loadConfig.ts';
import type { Config } from '../core/config/schema.ts';
import { historyCsv } from '../dashboard/historyCsv.ts';
import { metricsJsonl } from '../dashboard/metricsJsonl.ts';
import { plainReporter } from '../dashboard/plainReporter.ts';
import { renderTui } from '../dashboard/renderTui.tsx';
import { setupBackend } from '../model/backend/setupBackend.ts';
import { backendVetoes } from '../pipeline/train/memoryPlan.ts';
import { createTrainRun, type TrainRun } from '../pipeline/train/trainRun.ts';
import { createPrefRun } from '../pipeline/prefs/prefRun.ts';
import type { RunControls } from '../core/controls.ts';
import type { TrainEvent } from '../core/events.ts';
import { type FeedHandle, startFeed } from '../streams/feed/wsFeed.ts';
import type { CliIO } from './io.ts';
import { parseArgs, takeFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { deferredControls, preparingRun } from './preparingRun.ts';

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
    const backend = await setupBackend(cfg.backend, { skip: backendVetoes(cfg), kernels: cfg.kernels, matmulTiles: cfg.matmulTiles, cpuMatmul: cfg.cpuMatmul });
    // the sinks attach before the corpus is prepared, so the TUI, the feed and the reporters show its
    // live data/progress; the run's own events follow once it is built (preparingRun)
    let run: TrainRun | undefined;
    // q / Ctrl-C in the TUI while the corpus is prepared: nothing to checkpoint yet, so stop at once
    // (as SIGINT does then); worker tokenization resumes at the pieces not done
    const controls = deferredControls(
      () => run?.controls,
      () => {
        io.stderr.write('stopped while the corpus was being prepared\n');
        exit(128 + STOP_SIGNALS.SIGINT);
      },
    );
    const source$ = preparingRun<TrainRun>(
      (onDataProgress) => (cfg.task === 'kto' || cfg.task === 'dpo' ? createPrefRun(cfg, backend) : createTrainRun(cfg, backend, Date.now, { onDataProgress })),
      (built) => {
        run = built;
        for (const sig of Object.keys(STOP_SIGNALS) as StopSignal[]) {
          handlers.set(sig, () => onSignal?.(sig));
          signals.on(sig, handlers.get(sig)!);
        }
      },
    );
    // every sink subscribes before the stream starts, so each sees run/start
    const events$ = connectable(source$, { connector: () => new Subject(), resetOnDisconnect: false });
    // history.csv and metrics.jsonl live in the run's directory: they open at run/start (the run's own events)
    const runEvents$ = events$.pipe(filter(() => run !== undefined));
    runEvents$.subscribe(lazyObserver(() => historyCsv(join(run!.runDir, 'history.csv'))));
    runEvents$.subscribe(lazyObserver(() => metricsJsonl(join(run!.runDir, 'metrics.jsonl'))));
    feed = cfg.ws ? await openFeed(events$, cfg, io) : undefined;
    const tui = attachReporter(events$, cfg, io, controls);
    onSignal = (sig) => {
      stoppedBy = sig;
      io.stderr.write(`\n${sig}: stopping after this step (writing a checkpoint); send it again (or Ctrl-C) to stop at once\n`);
      controls.stop();
      onSignal = (again) => {
        io.stderr.write(`${again}: stopping at once; the last complete checkpoint is kept\n`);
        exit(128 + STOP_SIGNALS[again]);
      };
    };
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
      io.stderr.write(`stopped on ${stoppedBy} at step ${end?.step ?? run?.startStep ?? 0}${ckpt}\n`);
    }
    return 0;
  } catch (e) {
    return reportError(e, io);
  } finally {
    await feed?.close();
  }
}

/** An observer made on the first event (or never, if none comes): a sink whose file is known only then. */
function lazyObserver(make: () => Partial<Observer<TrainEvent>>): Partial<Observer<TrainEvent>> {
  let o: Partial<Observer<TrainEvent>> | undefined;
  return {
    next: (e) => (o ??= make()).next?.(e),
    error: (e) => o?.error?.(e),
    complete: () => o?.complete?.(),
  };
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
