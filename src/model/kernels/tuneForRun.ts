import * as tf from '@tensorflow/tfjs';
import { attention, type Weights } from '../gpt.ts';
import type { GptConfig } from '../gptConfig.ts';
import { autotune, type TuneResult } from './autotune.ts';
import { autotuneWanted, kernelsInUse, TUNABLE } from './select.ts';

/**
 * Before a run trains on webgpu under `kernels: auto`: measures each tunable fused kernel that is on
 * against the stock ops, on one representative forward + backward at the run's shapes (one
 * attention block of `rows` × context, the first layer's weights), and keeps the faster. Returns
 * what it measured (empty when not tuning). A second or two at start; the first timings also compile.
 */
export async function tuneForRun(w: Weights, c: GptConfig, rows: number): Promise<TuneResult[]> {
  if (!autotuneWanted() || tf.getBackend() !== 'webgpu') return [];
  const x = tf.randomNormal([rows, c.context, c.hidden], 0, 1, 'float32', 1) as tf.Tensor3D;
  const layer0 = [...w].filter(([name]) => name.startsWith('h.0.attn.')).map(([, v]) => v);
  // attention of layer 0, differentiated w.r.t. its input: projections (matmuls), RoPE, attention proper
  const work = () => {
    const { value, grads } = tf.variableGrads(() => attention(x, w, 0, c).square().mean() as tf.Scalar, layer0);
    return [value, ...Object.values(grads)];
  };
  const results: TuneResult[] = [];
  try {
    for (const k of TUNABLE) if (kernelsInUse().includes(k)) results.push(await autotune(k, work));
  } finally {
    x.dispose();
  }
  return results;
}
