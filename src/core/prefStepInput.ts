/** What a preference run's source hands its step operator: the rows (KTO) or pairs (DPO) of step `step` (1-based). */
export interface PrefStepInput<R> {
  readonly step: number;
  /** Fractional epochs completed after this step. */
  readonly epoch: number;
  readonly rows: readonly R[];
  /** The last step of the run (max steps reached or a stop was requested). */
  readonly final: boolean;
}
