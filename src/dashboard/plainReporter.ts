import type { Observer } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';
import { formatEvent } from './formatEvent.ts';

/** A sink writing one plain line per event to `out` (stdout by default): for CI, pipes and logs. */
export function plainReporter(out: { write(s: string): unknown } = process.stdout): Partial<Observer<TrainEvent>> {
  return {
    next: (e) => {
      const line = formatEvent(e);
      if (line !== null) out.write(`${line}\n`);
    },
    error: () => {}, // the run/end line already said how it ended; the caller reports the error once
  };
}
