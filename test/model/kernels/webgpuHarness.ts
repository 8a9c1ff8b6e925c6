import * as tf from '@tensorflow/tfjs';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';

/**
 * The fused-kernel tests run real WGSL on whatever WebGPU adapter Dawn finds: a GPU, or Mesa's
 * lavapipe (a Vulkan driver on the CPU; `.ci/run` installs it). Without an adapter they skip, unless
 * VERSIFLOW_EXPECT_WEBGPU=1 (set by CI), where a missing adapter is a failure.
 * References are computed on the cpu backend first (tensors cannot move off webgpu synchronously).
 */
export async function webgpuAvailable(): Promise<boolean> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // lavapipe's window-system probe complains without it
  try {
    await setupBackend('webgpu');
    await tf.setBackend('cpu');
    return true;
  } catch (e) {
    if (process.env.VERSIFLOW_EXPECT_WEBGPU === '1') throw new Error(`VERSIFLOW_EXPECT_WEBGPU=1 but WebGPU did not start: ${(e as Error).message}`);
    return false;
  }
}

/** Runs `f` with the webgpu backend active and returns its tensors' values, then goes back to cpu. */
export async function onWebgpu<T extends tf.Tensor | tf.Tensor[]>(f: () => T): Promise<Float32Array[]> {
  await tf.setBackend('webgpu');
  try {
    const out = f();
    const list = Array.isArray(out) ? out : [out];
    const values = await Promise.all(list.map(async (t) => new Float32Array(await t.data())));
    tf.dispose(list);
    return values;
  } finally {
    await tf.setBackend('cpu');
  }
}

/** Deterministic values in [-1, 1) (a small LCG), for inputs both backends can build. */
export function seeded(n: number, seed: number, scale = 1): Float32Array {
  const a = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = ((s >>> 8) / 2 ** 24) * 2 * scale - scale;
  }
  return a;
}

/** Largest |a−b| / (|b| + floor) over the elements. */
export function maxRelErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + floor));
  return m;
}
