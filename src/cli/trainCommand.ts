import { join } from 'node:path';
import { connectable, lastValueFrom, Subject } from 'rxjs';
import { loadConfig } from '../config/loadConfig.ts';
import { historyCsv } from '../dashboard/historyCsv.ts';
import { metricsJsonl } from '../dashboard/metricsJsonl.ts';
import { plainReporter } from '../dashboard/plainReporter.ts';
import { setupBackend, type BackendChoice } from '../model/backend/setupBackend.ts';
import { backendVetoes, createTrainRun } from '../pipeline/trainRun.ts';
import type { CliIO } from './io.ts';
import { parseArgs, takeFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const TRAIN_HELP = `versiflow train [--config NAME|PATH] [--KEY VALUE ...]
  --config NAME|PATH   a file in configs/ (tiny, 75m, ...) or a YAML path (default tiny)
  --data PATH|GLOB     corpus (.parquet, .jsonl, .txt, directory, glob)
  --max-steps N --log-every N --eval-every N --seed N --backend auto|tensorflow|webgpu|wasm|cpu
  --out DIR --resume latest|PATH --reporter plain|tui
  any config key as --key-name value; \`versiflow config\` lists them`;

/** `versiflow train`: builds the run from config + flags, attaches the sinks, runs to the end. */
export async function trainCommand(args: readonly string[], io: CliIO, signals: NodeJS.EventEmitter = process): Promise<number> {
  let onSigint: (() => void) | undefined;
  try {
    const { positional, flags } = parseArgs(args, ['help']);
    if (flags.help) {
      io.stdout.write(`${TRAIN_HELP}\n`);
      return 0;
    }
    if (positional.length > 0) throw new Error(`train: unexpected argument "${positional[0]}"`);
    const { config: name = 'tiny' } = takeFlags(flags, ['config']);
    const cfg = loadConfig(name, flags);
    const backend = await setupBackend(cfg.backend as BackendChoice, { skip: backendVetoes(cfg) });
    const run = await createTrainRun(cfg, backend);
    // every sink subscribes before the run starts, so each sees run/start
    const events$ = connectable(run.events$, { connector: () => new Subject(), resetOnDisconnect: false });
    if (cfg.reporter !== 'none') events$.subscribe(plainReporter(io.stdout));
    events$.subscribe(historyCsv(join(run.runDir, 'history.csv')));
    events$.subscribe(metricsJsonl(join(run.runDir, 'metrics.jsonl')));
    let interrupts = 0;
    onSigint = () => {
      interrupts += 1;
      if (interrupts === 1) {
        io.stderr.write('\nstopping after this step (writing a checkpoint); press Ctrl-C again to abort\n');
        run.controls.stop();
      } else process.exit(130);
    };
    signals.on('SIGINT', onSigint);
    const done = lastValueFrom(events$);
    events$.connect();
    await done;
    return 0;
  } catch (e) {
    return reportError(e, io);
  } finally {
    if (onSigint) signals.off('SIGINT', onSigint);
  }
}
