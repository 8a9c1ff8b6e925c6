import { Observable } from 'rxjs';

/**
 * Turns a lazy async iterable into a cold Observable that pulls one value at a time: the next value
 * is requested only after the previous `next` handler returned, so a slow synchronous consumer
 * slows the reader instead of piling values up. Each subscription calls `factory` afresh.
 *
 * Unlike `from(asyncIterable)`, unsubscribing calls `iterator.return()` at once (also while a pull
 * is pending), so readers close their files without producing another value. Errors thrown by the
 * iterator after unsubscription are dropped.
 *
 * @example
 * fromAsyncIterable(() => corpusRows('data/ru_poetry.parquet')).pipe(take(3)).subscribe(console.log);
 */
export function fromAsyncIterable<T>(factory: () => AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    const iterator = factory()[Symbol.asyncIterator]();
    let stopped = false;
    void (async () => {
      try {
        while (!stopped) {
          const result = await iterator.next();
          if (stopped) return;
          if (result.done) {
            stopped = true; // the iterator is finished: nothing for the teardown to close
            return subscriber.complete();
          }
          subscriber.next(result.value);
        }
      } catch (err) {
        if (stopped) return;
        stopped = true;
        subscriber.error(err);
      }
    })();
    return () => {
      if (stopped) return;
      stopped = true;
      // ends the reader's finally blocks; a failure while closing has no one left to report to
      iterator.return?.().catch(() => undefined);
    };
  });
}
