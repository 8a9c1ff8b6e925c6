import type { DataProgressEvent } from '../../core/events.ts';

export interface ProgressMeterOptions {
  readonly phase: DataProgressEvent['phase'];
  readonly totalBytes: number;
  readonly workers: number;
  /** The step the run starts at (events carry it). @default 0 */
  readonly step?: number;
  /** Minimum milliseconds between live events. @default 1000 */
  readonly everyMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
  readonly emit: (e: DataProgressEvent) => void;
}

export interface ProgressMeter {
  /** Figures so far; emits a live event when `everyMs` has passed since the last. */
  update(rows: number, bytes: number, tokens: number): void;
  /** Emits the final event (done, ETA 0). */
  done(rows: number, bytes: number, tokens: number): void;
}

/**
 * Turns running totals of a corpus pass into data/progress events: rows/s and MB/s since the start,
 * ETA from the fraction of the corpus bytes read (NaN before the first byte counts).
 */
export function progressMeter(o: ProgressMeterOptions): ProgressMeter {
  const now = o.now ?? Date.now;
  const t0 = now();
  let last = t0;
  const event = (rows: number, bytes: number, tokens: number, done: boolean): DataProgressEvent => {
    const time = now();
    const elapsedS = (time - t0) / 1000;
    const fraction = o.totalBytes > 0 ? Math.min(1, bytes / o.totalBytes) : 0;
    return {
      type: 'data/progress',
      step: o.step ?? 0,
      time,
      phase: o.phase,
      rows,
      bytes,
      totalBytes: o.totalBytes,
      tokens,
      elapsedS,
      rowsPerSec: elapsedS > 0 ? rows / elapsedS : 0,
      mbPerSec: elapsedS > 0 ? bytes / 1e6 / elapsedS : 0,
      etaS: done ? 0 : fraction > 0 && elapsedS > 0 ? (elapsedS * (1 - fraction)) / fraction : NaN,
      workers: o.workers,
      done,
    };
  };
  return {
    update(rows, bytes, tokens) {
      if (now() - last < (o.everyMs ?? 1000)) return;
      last = now();
      o.emit(event(rows, bytes, tokens, false));
    },
    done(rows, bytes, tokens) {
      o.emit(event(rows, bytes, tokens, true));
    },
  };
}
