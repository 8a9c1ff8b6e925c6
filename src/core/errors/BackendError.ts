/**
 * Thrown when the tensor backend fails in a way that makes results invalid (the GPU rejected
 * commands): the run stops with the device's message instead of training on stale buffers.
 */
export class BackendError extends Error {
  override readonly name = 'BackendError';
  constructor(message: string) {
    super(message);
  }
}
