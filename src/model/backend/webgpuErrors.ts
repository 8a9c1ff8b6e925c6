import * as tf from '@tensorflow/tfjs';

/**
 * WebGPU reports invalid commands (a buffer over the adapter's binding limit, say) as "uncaptured"
 * device errors: the work is dropped, tensors keep stale or zero contents, and tfjs carries on. This
 * records the first such error so a training loop can stop at its next read with the message instead
 * of training on garbage.
 */
let first: string | null = null;
const watched = new WeakSet<object>();

/** Starts recording the active webgpu backend's device errors (idempotent). */
export function watchWebgpuErrors(): void {
  const device = (tf.backend() as unknown as { device?: EventTarget }).device;
  if (!device || watched.has(device) || typeof device.addEventListener !== 'function') return;
  watched.add(device);
  device.addEventListener('uncapturederror', (e: Event) => {
    const msg = (e as Event & { error?: { message?: string } }).error?.message ?? 'unknown WebGPU error';
    first ??= msg.split('\n')[0];
  });
}

/** The first device error since the last call, or null; clears it. */
export function takeWebgpuError(): string | null {
  const e = first;
  first = null;
  return e;
}
