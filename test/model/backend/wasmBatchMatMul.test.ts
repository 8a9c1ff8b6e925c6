import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { loadNativeGemm, type NativeGemm } from '../../../src/model/backend/nativeGemm.ts';
import { registerWasmBatchMatMul } from '../../../src/model/backend/wasmBatchMatMul.ts';

/** Runs `f` on the cpu backend (the reference) and on wasm (our BatchMatMul), returns both. */
function onBoth(f: () => tf.Tensor): { cpu: Float32Array; wasm: Float32Array; shapeCpu: number[]; shapeWasm: number[] } {
  const run = (backend: string) => {
    tf.setBackend(backend);
    const t = tf.tidy(f);
    const out = { data: t.dataSync() as Float32Array, shape: t.shape };
    t.dispose();
    return out;
  };
  const c = run('cpu');
  const w = run('wasm');
  return { cpu: c.data, wasm: w.data, shapeCpu: c.shape, shapeWasm: w.shape };
}

function maxRelErr(a: Float32Array, b: Float32Array): number {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(a[i]));
    err = Math.max(err, Math.abs(a[i] - b[i]));
  }
  return err / scale;
}

const rand = (shape: number[], seed: number) => tf.randomUniform(shape, -1, 1, 'float32', seed);

// onnxruntime-node is a dependency of the project's install (package.json): its absence is a failure here, not a skip
const native = loadNativeGemm(2);

describe.each([
  ['XNNPACK', null],
  ['onnxruntime MLAS', 'unavailable' in native ? null : native],
] as const)('wasm BatchMatMul on %s, for transposed and batched operands', (engine, gemm: NativeGemm | null) => {
  beforeAll(async () => {
    if (engine !== 'XNNPACK' && !gemm) throw new Error(`onnxruntime-node did not load: ${(native as { unavailable: string }).unavailable}`);
    await setupBackend('wasm', { wasmThreads: 1, cpuMatmul: 'xnnpack' });
    registerWasmBatchMatMul(gemm); // replaces the kernel: this engine for the tests below
  });

  // output rows ≥ 32 (NATIVE_MIN_ROWS) in all but the last two, so both engines run them
  const cases: [string, number[], number[], boolean, boolean][] = [
    ['plain 2-D', [37, 19], [19, 23], false, false],
    ['transposeA (dW = xᵀ·dy)', [19, 37], [19, 23], true, false],
    ['transposeB (dx = dy·Wᵀ, tied head)', [37, 19], [23, 19], false, true],
    ['both transposed', [19, 37], [23, 19], true, true],
    ['batched a, unbatched b', [2, 3, 35, 7], [7, 4], false, false],
    ['batched a, unbatched b, transposeB', [2, 3, 35, 7], [4, 7], false, true],
    ['unbatched a, batched b', [33, 7], [3, 7, 4], false, false],
    ['both batched (attention q·kᵀ)', [2, 3, 33, 8], [2, 3, 33, 8], false, true],
    ['both batched, transposeA (attention backward)', [2, 3, 6, 33], [2, 3, 6, 5], true, false],
    ['both batched, both transposed', [3, 7, 34], [3, 4, 7], true, true],
    ['unbatched a, batched b, transposeA (broadcast)', [7, 33], [3, 7, 4], true, false],
    ['batched a, unbatched b, transposeA', [3, 7, 33], [7, 4], true, false],
    ['few rows (XNNPACK in both engines: a decode step)', [2, 3, 1, 7], [7, 4], false, false],
    ['partial broadcast falls back to stock', [2, 1, 4, 3], [1, 3, 3, 5], false, false],
  ];
  for (const [name, sa, sb, ta, tb] of cases) {
    it(`matches the cpu backend: ${name}`, () => {
      const r = onBoth(() => tf.matMul(rand(sa, 1), rand(sb, 2), ta, tb));
      expect(r.shapeWasm).toEqual(r.shapeCpu);
      expect(maxRelErr(r.cpu, r.wasm)).toBeLessThan(1e-5);
    });
  }

  it('gives the cpu gradients of a two-layer product with transposes', () => {
    const f = () => {
      const x = rand([40, 8], 3);
      const w1 = rand([8, 5], 4);
      const w2 = rand([7, 5], 5);
      const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.matMul(tf.matMul(a, b).tanh(), c, false, true).square().sum());
      return tf.concat(g([x, w1, w2]).map((t) => t.flatten()));
    };
    const r = onBoth(f);
    expect(maxRelErr(r.cpu, r.wasm)).toBeLessThan(1e-5);
  });

  it('frees its temporaries and views (no tensor or wasm memory leak)', () => {
    tf.setBackend('wasm');
    const a = rand([2, 3, 40, 8], 6);
    const b = rand([2, 3, 40, 8], 7);
    tf.tidy(() => tf.matMul(a, b, false, true)); // warm-up
    const before = tf.memory().numTensors;
    const ids = (tf.backend() as unknown as { numDataIds(): number }).numDataIds();
    for (let i = 0; i < 5; i++) tf.tidy(() => void tf.matMul(a, b, true, false).add(tf.matMul(a, b, false, true).sum()));
    expect(tf.memory().numTensors).toBe(before);
    expect((tf.backend() as unknown as { numDataIds(): number }).numDataIds()).toBe(ids);
    tf.dispose([a, b]);
  });
});
