/**
 * Thrown when a checkpoint cannot be read or does not fit the run: a missing directory or file, a
 * corrupt safetensors header, a tensor whose name or shape differs from the model's, or a tokenizer
 * that differs from the one the checkpoint was trained with.
 */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  constructor(message: string) {
    super(message);
  }
}
