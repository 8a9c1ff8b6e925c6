import type { RunControls } from '../../core/controls.ts';

/** The run's side of its controls: what the pipeline polls between steps. */
export interface ControlState {
  /** Handed to sinks (TUI keys, signals). */
  readonly controls: RunControls;
  /** A stop was requested: the batch schedule ends after the current step. */
  stopRequested(): boolean;
  /** A sample was requested since the last call (reading it clears it). */
  takeSampleRequest(): boolean;
  /** Resolves when the run is not paused; the pull driver awaits it before each batch. */
  gate(): Promise<void>;
  /** End the schedule now: the step just trained was the final one (early stopping). */
  halt(): void;
  halted(): boolean;
}

/** Stop after the next step (with a checkpoint), sample on demand, pause between steps. */
export function createRunControls(): ControlState {
  let stop = false;
  let halt = false;
  let sample = false;
  let paused: { promise: Promise<void>; resume: () => void } | null = null;
  const controls: RunControls = {
    stop: () => {
      stop = true;
      if (paused) controls.togglePause();
    },
    sampleNow: () => {
      sample = true;
    },
    togglePause: () => {
      if (paused) {
        paused.resume();
        paused = null;
        return false;
      }
      let resume = () => {};
      const promise = new Promise<void>((r) => (resume = r));
      paused = { promise, resume };
      return true;
    },
  };
  return {
    controls,
    stopRequested: () => stop,
    takeSampleRequest: () => {
      const r = sample;
      sample = false;
      return r;
    },
    gate: () => paused?.promise ?? Promise.resolve(),
    halt: () => {
      halt = true;
    },
    halted: () => halt,
  };
}
