import * as tf from '@tensorflow/tfjs';

/**
 * Activation checkpointing for tfjs: `fn(x, params)` runs with only its input `x` kept for the
 * backward pass; the gradient runs `fn` again under its own tape, takes the gradients of x and of
 * every params tensor, and frees that recomputation's tensors before returning.
 *
 * Why: tfjs's backward pass keeps every tensor the forward made and every temporary each gradient
 * function makes until the whole backward ends (engine.gradients runs it in one tidy). On the CPU
 * backends that held ~5× the forward's activations: ≈2 MB per token for the char-10m shape, so
 * batch 64 × 256 overran wasm's heap. Recomputing per transformer block keeps one [B, T, C] input
 * per block and one block's forward and backward at a time, for one more forward pass of compute.
 *
 * `fn` must be deterministic given its inputs (dropout with fixed seeds), must use every params
 * tensor, and must not keep tensors it makes.
 */
export function recompute<T extends tf.Tensor>(fn: (x: T, params: readonly tf.Tensor[]) => T, x: T, params: readonly tf.Tensor[]): T {
  const f = (...args: unknown[]) => {
    const save = args.pop() as tf.GradSaveFunc;
    const [xi, ...ps] = args as tf.Tensor[];
    save([xi]);
    return {
      value: fn(xi as T, ps),
      gradFunc: (dy: tf.Tensor, [xs]: tf.Tensor[]) => {
        // The outer backward is still walking its tape; the inner tf.grads starts its own and, at
        // gradient depth 0, drops the engine's tape when done: hand the outer one back afterwards.
        const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
        const outer = state.activeTape;
        try {
          return tf.tidy(() => tf.grads((...a: tf.Tensor[]) => fn(a[0] as T, a.slice(1)))([xs, ...ps], dy));
        } finally {
          state.activeTape = outer;
        }
      },
    };
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(x, ...params) as T;
}
