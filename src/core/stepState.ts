import type { Batch } from './batch.ts';
import type { TrainEvent } from './events.ts';

/** What the batch source hands the step operators: the batch for step `step` (1-based). */
export interface StepInput {
  readonly step: number;
  /** Fractional epochs completed after this step. */
  readonly epoch: number;
  readonly batch: Batch;
  /** The last step of the run (max steps reached or a stop was requested). */
  readonly final: boolean;
}

/**
 * What flows between step operators: one value per step. Each operator may append the events it
 * produced; the pipeline's event stream is the concatenation of every state's `events`.
 */
export interface StepState {
  readonly step: number;
  readonly epoch: number;
  readonly final: boolean;
  readonly lr: number;
  /** Loss-bearing tokens trained on since this run (or resume) started. */
  readonly tokens: number;
  /** Train loss, when this step read it from the device (log steps). */
  readonly loss?: number;
  readonly valLoss?: number;
  readonly events: readonly TrainEvent[];
}

export const withEvents = (s: StepState, ...events: TrainEvent[]): StepState => ({ ...s, events: [...s.events, ...events] });
