import { from, Observable, switchMap } from 'rxjs';
import type { RunControls } from '../core/controls.ts';
import type { DataProgressEvent, TrainEvent } from '../core/events.ts';

/** What {@link preparingRun} needs of a built run. */
export interface PreparedRun {
  readonly events$: Observable<TrainEvent>;
  readonly controls: RunControls;
}

/**
 * A run's events from the start of its data preparation: on subscription `prepare` is called (build
 * the run: read, tokenize, ...) and the live data/progress events it reports are passed on at once,
 * so sinks attached before preparation (TUI, feed, reporters) see them; then, once it resolves,
 * `onRun` hears the run (synchronously, before its first event) and its own events follow.
 * The `done` summaries are left out: the run repeats them after run/start. A failed preparation is
 * the stream's error, after the progress so far. Cold and single-use: subscribe once (connectable).
 */
export function preparingRun<R extends PreparedRun>(prepare: (onDataProgress: (e: DataProgressEvent) => void) => Promise<R>, onRun: (run: R) => void): Observable<TrainEvent> {
  return new Observable<TrainEvent>((sub) => {
    let live = true;
    const built = prepare((e) => {
      if (live && !e.done) sub.next(e);
    });
    return from(built)
      .pipe(
        switchMap((run) => {
          live = false;
          onRun(run);
          return run.events$;
        }),
      )
      .subscribe(sub);
  });
}

/**
 * Controls for a sink attached before the run exists (the TUI during data preparation): they act on
 * the run once `current()` has one. A stop asked before that calls `stopEarly` (there is no step to
 * finish yet: the CLI ends at once, as a signal then does); sample and pause do nothing yet.
 */
export function deferredControls(current: () => RunControls | undefined, stopEarly: () => void): RunControls {
  return {
    stop: () => {
      const c = current();
      if (c) c.stop();
      else stopEarly();
    },
    sampleNow: () => current()?.sampleNow(),
    togglePause: () => current()?.togglePause() ?? false,
  };
}
