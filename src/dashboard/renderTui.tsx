import { render } from 'ink';
import type { Observable } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';
import type { RunControls } from '../core/controls.ts';
import { TuiApp } from './TuiApp.tsx';

export interface TuiOptions {
  /** @default process.stdout */
  readonly stdout?: NodeJS.WriteStream;
  /** @default process.stdin — keys are read only when it is a TTY. */
  readonly stdin?: NodeJS.ReadStream;
  /** Without them, q only closes the dashboard and s/p do nothing. */
  readonly controls?: RunControls;
  /** @default 100 */
  readonly throttleMs?: number;
}

export interface TuiHandle {
  unmount(): void;
  /** Settles when the dashboard is gone: after `events$` completes, on q without controls, or on unmount. */
  waitUntilExit(): Promise<void>;
}

/**
 * Draws the Ink dashboard for a run's events on `stdout` (a TTY sink; use `plainReporter` for pipes and
 * CI). Ctrl+C is handled as q (stop the run cleanly) rather than killing the process mid-step.
 */
export function renderTui(events$: Observable<TrainEvent>, opts: TuiOptions = {}): TuiHandle {
  const instance = render(<TuiApp events$={events$} controls={opts.controls} throttleMs={opts.throttleMs ?? 100} />, {
    // ink spreads these over its defaults: an explicit undefined would replace process.stdout
    ...(opts.stdout ? { stdout: opts.stdout } : {}),
    ...(opts.stdin ? { stdin: opts.stdin } : {}),
    exitOnCtrlC: false,
    patchConsole: false,
  });
  return {
    unmount: () => instance.unmount(),
    waitUntilExit: async () => {
      await instance.waitUntilExit();
    },
  };
}
