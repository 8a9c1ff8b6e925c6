/**
 * Thrown when the training loss becomes NaN or infinite: the run stops instead of training on
 * garbage. The message names the step and the learning rate; lower `lr`, raise `warmup_steps`, or
 * check the data and the backend (compare a few steps with `--backend cpu`).
 */
export class DivergenceError extends Error {
  override readonly name = 'DivergenceError';
  constructor(message: string) {
    super(message);
  }
}
