import { Observable, type OperatorFunction, Subject } from 'rxjs';

export interface PullOptions {
  /** Awaited before each pull; resolves when the run may go on (pause/resume). */
  readonly gate?: () => Promise<void>;
  /** Yields to the event loop between items so sinks, sockets and signals stay live. Default setImmediate. */
  readonly tick?: (fn: () => void) => () => void;
}

const immediate = (fn: () => void) => {
  const h = setImmediate(fn);
  return () => clearImmediate(h);
};

/**
 * Feeds the items of a lazy (async) iterable through `stage` one at a time: the next item is pulled
 * only after `stage` has emitted its result for the previous one. RxJS has no backpressure; this is
 * the step-driven pull that keeps a fast reader from queueing a corpus in front of a slow GPU.
 * `stage` must emit exactly one value per item (all Versiflow step operators do).
 * Unsubscribing stops pulling and calls the iterator's `return()`.
 *
 * @example
 * pullThrough(batches, pipe(trainStep(model, opts), validateEvery(100, evaluate))).subscribe(...)
 */
export function pullThrough<T, R>(source: Iterable<T> | AsyncIterable<T>, stage: OperatorFunction<T, R>, opts: PullOptions = {}): Observable<R> {
  return new Observable<R>((subscriber) => {
    const it: Iterator<T> | AsyncIterator<T> =
      Symbol.asyncIterator in source ? (source as AsyncIterable<T>)[Symbol.asyncIterator]() : (source as Iterable<T>)[Symbol.iterator]();
    const items = new Subject<T>();
    const tick = opts.tick ?? immediate;
    let cancelTick: (() => void) | undefined;
    let closed = false;
    const pull = () => {
      cancelTick = tick(async () => {
        try {
          if (opts.gate) await opts.gate();
          if (closed) return;
          const r = await it.next();
          if (closed) return;
          if (r.done) items.complete();
          else items.next(r.value);
        } catch (e) {
          items.error(e);
        }
      });
    };
    const sub = items.pipe(stage).subscribe({
      next: (r) => {
        subscriber.next(r);
        if (!closed) pull();
      },
      error: (e) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    pull();
    return () => {
      closed = true;
      cancelTick?.();
      sub.unsubscribe();
      void it.return?.();
    };
  });
}
