import * as tf from '@tensorflow/tfjs';

/**
 * GELU as one kernel with its own gradient kernel, for backends that register them (the wasm
 * backend with the native runtime: backend/nativeGelu.ts). The composite form (nn/gpt.ts `gelu`) is
 * 5–6 elementwise kernels forward and about ten backward, each a full pass over the [rows, ffn]
 * activations; on a char-10m step on wasm they were the largest cost after the matrix products
 * (docs/benchmarks.md#figures-behind-source-comments).
 *   VersiflowGelu      x → gelu(x), attr form 'exact' | 'tanh'
 *   VersiflowGeluGrad  dy, x → dy · gelu'(x)
 */
export const GELU_KERNEL = 'VersiflowGelu';
export const GELU_GRAD_KERNEL = 'VersiflowGeluGrad';

export type GeluForm = 'exact' | 'tanh';

let gradientRegistered = false;
let on = true;

/** True when the active backend has the GELU kernels and they are not turned off. */
export function geluKernelOn(): boolean {
  return on && tf.getKernel(GELU_KERNEL, tf.getBackend()) !== undefined && tf.getKernel(GELU_GRAD_KERNEL, tf.getBackend()) !== undefined;
}

/** Turns the GELU kernels off (to compare with the composite ops) or on; returns the previous setting. */
export function useGeluKernel(enabled: boolean): boolean {
  const was = on;
  on = enabled;
  return was;
}

/** gelu(x) in one kernel; its gradient is one kernel too. Call only where geluKernelOn(). */
export function geluKernel(x: tf.Tensor, form: GeluForm): tf.Tensor {
  if (!gradientRegistered) {
    tf.registerGradient({
      kernelName: GELU_KERNEL,
      inputsToSave: ['x'],
      gradFunc: (dy, saved, attrs) => ({ x: () => tf.engine().runKernel(GELU_GRAD_KERNEL, { dy: dy as tf.Tensor, x: saved[0] }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor }),
    });
    gradientRegistered = true;
  }
  return tf.engine().runKernel(GELU_KERNEL, { x }, { form } as unknown as tf.NamedAttrMap) as tf.Tensor;
}
