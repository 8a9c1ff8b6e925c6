/**
 * trainStep's throughput and ETA bookkeeping, as pure functions of a small state: steps, tokens and
 * clock readings in, the numbers a `train/step` event reports out. No tensors, no clock of its own.
 */
export interface StepMeter {
  readonly startMs: number;
  readonly lastLogMs: number;
  /** The step of the previous log (the step before the first, at start). */
  readonly lastLogStep: number;
  readonly lastLogTokens: number;
  /** Smoothed ms per step; NaN until the second log (the first step's warm-up — kernel compilation, caches — does not seed it). */
  readonly msPerStep: number;
  /** JavaScript time spent issuing steps since the last log. */
  readonly hostMs: number;
  /** Logs read so far. */
  readonly logs: number;
}

export interface StepReading {
  /** Mean wall ms per step since the previous log. */
  readonly ms: number;
  /** Loss-bearing tokens per second since the previous log. */
  readonly tokPerSec: number;
  /** Mean host (JavaScript) ms per step since the previous log. */
  readonly hostMs: number;
  readonly elapsedS: number;
  /** Seconds left at the smoothed pace. */
  readonly etaS: number;
}

/** A meter for a run whose first step is `firstStep`, started at clock `t` (ms). */
export function startMeter(firstStep: number, t: number): StepMeter {
  return { startMs: t, lastLogMs: t, lastLogStep: firstStep - 1, lastLogTokens: 0, msPerStep: NaN, hostMs: 0, logs: 0 };
}

/** Adds the host time of one step. */
export const addHostMs = (m: StepMeter, ms: number): StepMeter => ({ ...m, hostMs: m.hostMs + ms });

/**
 * A log at `step` with `tokens` trained so far, read at clock `t`: the reading, and the meter for the
 * next log. The ETA smooths the per-step time (0.7 old + 0.3 new) from the second log on.
 */
export function readMeter(m: StepMeter, o: { readonly step: number; readonly tokens: number; readonly t: number; readonly totalSteps: number; readonly first: boolean }): { meter: StepMeter; reading: StepReading } {
  const steps = Math.max(1, o.step - m.lastLogStep);
  const ms = (o.t - m.lastLogMs) / steps;
  const eta = Number.isNaN(m.msPerStep) ? ms : 0.7 * m.msPerStep + 0.3 * ms;
  const reading: StepReading = {
    ms,
    tokPerSec: ((o.tokens - m.lastLogTokens) / Math.max(1e-9, o.t - m.lastLogMs)) * 1000,
    hostMs: m.hostMs / steps,
    elapsedS: (o.t - m.startMs) / 1000,
    etaS: ((o.totalSteps - o.step) * eta) / 1000,
  };
  const meter: StepMeter = { ...m, lastLogMs: o.t, lastLogStep: o.step, lastLogTokens: o.tokens, msPerStep: o.first ? m.msPerStep : eta, hostMs: 0, logs: m.logs + 1 };
  return { meter, reading };
}
