import * as tf from '@tensorflow/tfjs';
import { attention, type Weights } from '../nn/gpt.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { batchLoss } from '../nn/step.ts';
import type { TuneResult } from './autotune.ts';
import { autotuneWanted, kernelsInUse, setKernel } from '../kernels/select.ts';
import { tuneAttention } from './tuneAttention.ts';
import { tuneMatMulShapes } from './tuneMatMul.ts';
import { FLASH_MAX_HEAD_DIM, flashLanesAvailable } from '../kernels/webgpu/flashAttention.ts';
import { chooseMatMul, matmulTuneCandidates, recordMatMulShapes } from '../kernels/webgpu/matmulKernel.ts';
import { isSoftwareAdapter } from '../backend/webgpuSetup.ts';

/**
 * Before a run trains on webgpu under `kernels: auto`, at the run's shapes (`rows` × context):
 * - attention: one attention block's forward + backward (layer 0) with the stock ops and with the
 *   fused kernels at each lane count the device allows (tuneAttention.ts); the fastest stays on;
 * - matmul: the distinct matmul shapes of one training step's forward + backward, each timed with
 *   tfjs's kernel and Versiflow's at each candidate tile setting; each shape keeps the fastest
 *   (tuneMatMul.ts).
 * Returns what it measured (empty when not tuning). A few seconds at start; the first timings also compile.
 */
export async function tuneForRun(w: Weights, c: GptConfig, rows: number): Promise<TuneResult[]> {
  if (!autotuneWanted() || tf.getBackend() !== 'webgpu') return [];
  const results: TuneResult[] = [];
  if (kernelsInUse().includes('attention')) {
    // a varied input made on the GPU (tfjs draws random tensors in JavaScript: slow at B·T·C)
    const x = tf.tidy(() => tf.sin(tf.range(0, rows * c.context * c.hidden).mul(0.37)).reshape([rows, c.context, c.hidden])) as tf.Tensor3D;
    const layer0 = [...w].filter(([name]) => name.startsWith('h.0.attn.')).map(([, v]) => v);
    try {
      results.push(
        await tuneAttention(() => {
          const { value, grads } = tf.variableGrads(() => attention(x, w, 0, c).square().mean() as tf.Scalar, layer0);
          return [value, ...Object.values(grads)];
        }, c.headDim <= FLASH_MAX_HEAD_DIM ? flashLanesAvailable(c.headDim) : [1]), // past the max, attention() runs stock anyway
      );
    } finally {
      x.dispose();
    }
  }
  if (kernelsInUse().includes('matmul')) {
    chooseMatMul(null);
    const T = c.context;
    const ids = Int32Array.from({ length: rows * T }, (_, i) => (i * 7919) % c.vocabSize);
    const batch = { B: rows, T, x: ids, y: ids, mask: new Float32Array(rows * T).fill(1), tokens: rows * T };
    const shapes = recordMatMulShapes(() =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(() => batchLoss(w, c, batch, false), [...w.values()]);
        tf.dispose([value, ...Object.values(grads)]);
      }),
    );
    // a CPU-emulated adapter (lavapipe) times the CPU, and compiles each tile setting slowly: one setting
    const info = (tf.backend() as unknown as { adapterInfo?: { vendor?: string; architecture?: string } }).adapterInfo;
    const candidates = isSoftwareAdapter(info) ? matmulTuneCandidates().slice(0, 1) : matmulTuneCandidates();
    try {
      results.push(await tuneMatMulShapes(shapes, 3, candidates));
    } catch (e) {
      setKernel('matmul', false);
      results.push({ kernel: 'matmul', fusedMs: -1, stockMs: -1, chosen: 'stock', error: (e as Error).message.split('\n')[0] });
    }
  }
  return results;
}
