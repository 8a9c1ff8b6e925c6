import * as tf from '@tensorflow/tfjs';
import type { TuneResult } from './autotune.ts';
import { chooseMatMul, type MatMulShape, matMulShapeKey } from './webgpu/matmulKernel.ts';

/**
 * Per shape class of a training step's matmuls (operand shapes and transposes, collected with
 * recordMatMulShapes): times Versiflow's kernel and tfjs's on random operands of that shape (median of
 * `reps` after a warm-up that compiles) and keeps the faster for that shape. A card can favour one
 * kernel for the big projections and the other for the batched attention products; one choice for
 * all would lose one of them. Returns the summary for run/start (Σ times over the shapes).
 */
export async function tuneMatMulShapes(shapes: readonly MatMulShape[], reps = 3): Promise<TuneResult> {
  let oursTotal = 0;
  let stockTotal = 0;
  let oursCount = 0;
  for (const shape of shapes) {
    // operands filled on the GPU: tfjs draws random tensors in JavaScript, far too slow for a
    // [B·T, V] logits gradient (a matmul's time does not depend on the values)
    const a = tf.fill(shape.a as number[], 0.01);
    const b = tf.fill(shape.b as number[], 0.02);
    const time = async (ours: boolean): Promise<number> => {
      chooseMatMul(shape, ours);
      const ms: number[] = [];
      for (let i = 0; i <= reps; i++) {
        const t0 = performance.now();
        const s = tf.tidy(() => (tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: shape.transposeA, transposeB: shape.transposeB }) as tf.Tensor).sum());
        await s.data();
        s.dispose();
        if (i > 0) ms.push(performance.now() - t0);
      }
      return ms.sort((x, y) => x - y)[ms.length >> 1];
    };
    try {
      const stockMs = await time(false);
      const oursMs = await time(true);
      const ours = oursMs <= stockMs;
      chooseMatMul(shape, ours);
      oursTotal += oursMs;
      stockTotal += stockMs;
      if (ours) oursCount++;
    } catch (e) {
      chooseMatMul(shape, false);
      throw new Error(`matmul ${matMulShapeKey(shape)}: ${(e as Error).message}`);
    } finally {
      tf.dispose([a, b]);
    }
  }
  return {
    kernel: 'matmul',
    fusedMs: oursTotal,
    stockMs: stockTotal,
    chosen: oursCount > 0 ? 'fused' : 'stock',
    note: `Versiflow's kernel for ${oursCount} of ${shapes.length} shapes`,
  };
}
