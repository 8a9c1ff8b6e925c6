import * as tf from '@tensorflow/tfjs';

/**
 * Sum of same-shape tensors by a balanced tree of pairwise adds. `tf.addN` binds every input at
 * once and fails on WebGPU past the 8 storage buffers a shader stage may bind (a model has ~100
 * gradient tensors); pairwise adds cost log2(n) levels of tiny kernels instead.
 */
export function sumAll(ts: readonly tf.Tensor[]): tf.Tensor {
  if (ts.length === 0) throw new Error('sumAll: nothing to sum');
  let level = [...ts];
  while (level.length > 1) {
    const next: tf.Tensor[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? level[i].add(level[i + 1]) : level[i]);
    level = next;
  }
  return level[0];
}
