import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Observer } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';
import { syncFile } from './durable.ts';

/**
 * Appends every event as one JSON line: the complete machine-readable record of a run. A failed run
 * has already written its run/end (reason error) line when the stream errors; the error itself is the
 * caller's to report (without a handler here RxJS would rethrow it from a timer and crash the process).
 * Each line is appended synchronously; at a `checkpoint` event the file is also fsynced, so a power
 * loss keeps every event up to the last checkpoint.
 */
export function metricsJsonl(path: string): Partial<Observer<TrainEvent>> {
  mkdirSync(dirname(path), { recursive: true });
  return {
    next: (e) => {
      appendFileSync(path, `${JSON.stringify(e)}\n`);
      if (e.type === 'checkpoint') syncFile(path);
    },
    error: () => {},
  };
}
