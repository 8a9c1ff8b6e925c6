import * as tf from '@tensorflow/tfjs';

/**
 * The float32 storage of a tensor on a CPU backend, as a live view (no copy): on `wasm` a
 * Float32Array over the module's heap at the tensor's offset, on `cpu` the backend's own array.
 * Writing through it changes the tensor. A wasm view is valid until the next allocation (the heap
 * may grow and detach it): take views, use them, allocate nothing in between.
 * Null on other backends or dtypes.
 */
export function hostView(t: tf.Tensor): Float32Array | null {
  if (t.dtype !== 'float32') return null;
  const name = tf.getBackend();
  const backend = tf.backend() as unknown as HostBackend;
  if (name === 'wasm') {
    const entry = backend.dataIdMap.get(t.dataId);
    if (!entry) return null;
    return new Float32Array(backend.wasm!.HEAPU8.buffer, entry.memoryOffset, t.size);
  }
  if (name === 'cpu') {
    const values = backend.data.get(t.dataId)?.values;
    return values instanceof Float32Array && values.length === t.size ? values : null;
  }
  return null;
}

/**
 * Tells the backend that `t`'s values changed in place. On wasm XNNPACK caches a matmul operator per
 * right-hand tensor id with the weights packed inside it: without this the next matmul would use the
 * old values. Re-registering the id at the same offset drops those operators (tfjs's dispose_data).
 */
export function touched(t: tf.Tensor): void {
  if (tf.getBackend() !== 'wasm') return;
  const backend = tf.backend() as unknown as HostBackend;
  const entry = backend.dataIdMap.get(t.dataId)!;
  backend.wasm!.tfjs.disposeData(entry.id);
  backend.wasm!.tfjs.registerTensor(entry.id, t.size, entry.memoryOffset);
}

/** True when `t`'s storage belongs to it alone (no reshape or clone shares it), so it may be written in place. */
export function ownsStorage(t: tf.Tensor): boolean {
  return (tf.backend() as unknown as { refCount(dataId: object): number }).refCount(t.dataId) <= 1;
}

let hostKernels = true;

/**
 * True on the backends whose tensors live in host memory (wasm, cpu), where the in-place optimizer
 * and gradient accumulation run; false there too after `useHostKernels(false)` (to compare with the
 * composite ops).
 */
export const onHost = (): boolean => hostKernels && (tf.getBackend() === 'wasm' || tf.getBackend() === 'cpu');

/** Turns the in-place host kernels on or off; returns the previous setting. */
export function useHostKernels(on: boolean): boolean {
  const was = hostKernels;
  hostKernels = on;
  return was;
}

interface HostBackend {
  wasm?: { HEAPU8: Uint8Array; tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void } };
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } | undefined };
  data: { get(dataId: object): { values?: unknown } | undefined };
}
