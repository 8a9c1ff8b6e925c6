/**
 * Commands a user can send a running training pipeline (TUI keys, signals). The train command owns
 * the implementation; sinks only call it.
 */
export interface RunControls {
  /** Finish the current step, write a checkpoint, end the run with reason `stopped`. */
  stop(): void;
  /** Generate a sample at the next step boundary. */
  sampleNow(): void;
  /** Pause or resume pulling batches. Returns the new paused state. */
  togglePause(): boolean;
}
