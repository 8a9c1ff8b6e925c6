import { useEffect, useState } from 'react';
import type { Observable } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';

export interface EventsView<S> {
  readonly state: S;
  /** The stream completed or errored; the last state has been flushed. */
  readonly done: boolean;
  readonly error: unknown;
}

/**
 * Subscribes to `events$` for the component's lifetime, folds every event into `reducer` at once (cheap,
 * no rendering) and hands React the folded state at most once per `throttleMs`: a burst of 10,000 events
 * costs one render. The first event after a quiet spell renders on the next tick; completion flushes at
 * once. Changing `events$` resubscribes from `initial`.
 */
export function useEvents<S>(
  events$: Observable<TrainEvent>,
  reducer: (s: S, e: TrainEvent) => S,
  initial: S,
  throttleMs: number,
): EventsView<S> {
  const [view, setView] = useState<EventsView<S>>({ state: initial, done: false, error: undefined });
  useEffect(() => {
    let current = initial;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastFlush = -Infinity;
    const flush = (done: boolean, error?: unknown) => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      lastFlush = Date.now();
      setView({ state: current, done, error });
    };
    const sub = events$.subscribe({
      next: (e) => {
        current = reducer(current, e);
        if (timer === undefined) timer = setTimeout(() => flush(false), Math.max(0, lastFlush + throttleMs - Date.now()));
      },
      complete: () => flush(true),
      error: (err: unknown) => flush(true, err),
    });
    return () => {
      sub.unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
    };
    // `initial` and `reducer` are read once per subscription on purpose.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [events$, throttleMs]);
  return view;
}
