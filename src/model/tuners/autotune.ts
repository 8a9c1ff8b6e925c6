import * as tf from '@tensorflow/tfjs';
import { type FusedKernel, setKernel } from '../kernels/select.ts';

/**
 * Measures a fused kernel against the stock ops it replaces on this device, at the shapes the run
 * will use, and keeps the faster (what cuDNN's benchmark mode and Triton's autotuner do). `work`
 * runs one representative forward + backward and returns tensors to read; each timing ends with a
 * read of their sums, after one untimed warm-up run per variant (pipeline compilation).
 */
export interface TuneResult {
  readonly kernel: FusedKernel;
  readonly fusedMs: number;
  readonly stockMs: number;
  readonly chosen: 'fused' | 'stock';
  /** Why the fused kernel could not run here (then stock is kept and fusedMs is −1). */
  readonly error?: string;
  /** Detail of a per-shape choice (matmul: for how many shapes the fused kernel won). */
  readonly note?: string;
}

/** Median ms of `reps` runs of `work`, each ended by a read of its outputs' sums, after one untimed run. */
export async function timeWork(work: () => tf.Tensor[], reps = 3): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const sums = tf.tidy(() => work().map((t) => t.sum()));
    await Promise.all(sums.map((s) => s.data()));
    tf.dispose(sums);
    if (i > 0) ms.push(performance.now() - t0);
  }
  return ms.sort((a, b) => a - b)[ms.length >> 1];
}

export async function autotune(kernel: FusedKernel, work: () => tf.Tensor[], reps = 3): Promise<TuneResult> {
  const time = async (on: boolean): Promise<number> => {
    setKernel(kernel, on);
    return timeWork(work, reps);
  };
  let stockMs: number;
  try {
    stockMs = await time(false);
  } catch (e) {
    setKernel(kernel, true); // as it was: autotune runs on kernels that are on
    throw e; // the stock ops failing is the run's problem, not the kernel's
  }
  try {
    const fusedMs = await time(true);
    const chosen = fusedMs <= stockMs ? 'fused' : 'stock';
    setKernel(kernel, chosen === 'fused');
    return { kernel, fusedMs, stockMs, chosen };
  } catch (e) {
    setKernel(kernel, false);
    return { kernel, fusedMs: -1, stockMs, chosen: 'stock', error: (e as Error).message.split('\n')[0] };
  }
}
