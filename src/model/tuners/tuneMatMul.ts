import * as tf from '@tensorflow/tfjs';
import type { TuneResult } from './autotune.ts';
import { chooseMatMul, chooseMatMulForUnseen, formatVariant, type MatMulShape, matMulShapeKey, matmulTuneCandidates, type MatMulVariant } from '../kernels/webgpu/matmulKernel.ts';

/**
 * Per shape class of a training step's matmuls (operand shapes and transposes, collected with
 * recordMatMulShapes): times tfjs's kernel and Versiflow's with each candidate variant (tiles, plain or subgroups) on
 * operands of that shape (median of `reps` after a warm-up that compiles) and keeps the fastest for
 * that shape. A card can favour one kernel or tile for the big projections and another for the
 * batched attention products; one choice for all would lose one of them. A candidate that cannot
 * run on this device (workgroup memory, no subgroups) is skipped; the shape throws only when none can.
 * Shape classes it did not see (batches trimmed to a shorter length) run the candidate fastest over
 * all the shapes: on the card measured the best single setting came close to the best per shape
 * (docs/benchmarks.md#matmul-tile-sweep).
 * Returns the summary for run/start (Σ of the chosen times and of tfjs's over the shapes).
 */
export async function tuneMatMulShapes(shapes: readonly MatMulShape[], reps = 3, candidates: readonly MatMulVariant[] = matmulTuneCandidates()): Promise<TuneResult> {
  let oursTotal = 0;
  let stockTotal = 0;
  let oursCount = 0;
  const wins = new Map<string, number>();
  // each candidate's time summed over the shapes (NaN once it fails one): the fastest overall runs
  // the shape classes tuning did not see, e.g. a batch trimmed to a shorter length
  const totals = candidates.map(() => 0);
  for (const shape of shapes) {
    // operands filled on the GPU: tfjs draws random tensors in JavaScript, far too slow for a
    // [B·T, V] logits gradient (a matmul's time does not depend on the values)
    const a = tf.fill(shape.a as number[], 0.01);
    const b = tf.fill(shape.b as number[], 0.02);
    const time = async (choice: false | MatMulVariant): Promise<number> => {
      chooseMatMul(shape, choice);
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
      let best: { variant: MatMulVariant; ms: number } | null = null;
      let lastError: Error | null = null;
      for (const [i, variant] of candidates.entries()) {
        try {
          const ms = await time(variant);
          totals[i] += ms;
          if (!best || ms < best.ms) best = { variant, ms };
        } catch (e) {
          totals[i] = NaN;
          lastError = e as Error;
        }
      }
      if (!best) throw lastError ?? new Error('no tile setting to try');
      const ours = best.ms <= stockMs;
      chooseMatMul(shape, ours ? best.variant : false);
      oursTotal += best.ms;
      stockTotal += stockMs;
      if (ours) {
        oursCount++;
        const key = formatVariant(best.variant);
        wins.set(key, (wins.get(key) ?? 0) + 1);
      }
    } catch (e) {
      chooseMatMul(shape, false);
      throw new Error(`matmul ${matMulShapeKey(shape)}: ${(e as Error).message}`);
    } finally {
      tf.dispose([a, b]);
    }
  }
  const overall = totals.reduce((b, t, i) => (Number.isFinite(t) && (b < 0 || t < totals[b]) ? i : b), -1);
  chooseMatMulForUnseen(overall >= 0 ? candidates[overall] : null);
  const others = candidates.length > 1 && overall >= 0 ? `; other shapes ${formatVariant(candidates[overall])}` : '';
  const tiles = candidates.length > 1 && wins.size ? ` (tiles ${[...wins].map(([t, n]) => `${t} ×${n}`).join(', ')})` : '';
  return {
    kernel: 'matmul',
    fusedMs: oursTotal,
    stockMs: stockTotal,
    chosen: oursCount > 0 ? 'fused' : 'stock',
    note: `Versiflow's kernel for ${oursCount} of ${shapes.length} shapes${tiles}${others}`,
  };
}
