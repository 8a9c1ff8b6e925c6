import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { maskedCrossEntropy } from '../../../src/model/nn/loss.ts';
import { useKernels } from '../../../src/model/kernels/select.ts';
import { crossEntropyFused } from '../../../src/model/kernels/webgpu/crossEntropy.ts';
import { maxRelErr, onWebgpu, seeded, webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

type Loss = (z: tf.Tensor2D, t: tf.Tensor1D, m: tf.Tensor1D) => tf.Scalar;

/** Targets spread over [0, V) including both ends. */
function targetsFor(n: number, v: number): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i === 1 ? v - 1 : (i * 7919 + 13) % v));
}

/** loss and d(2.5·loss)/dlogits for `f` (the 2.5 checks that dy scales the gradient). */
function run(f: Loss, n: number, v: number, mask: number[], logitScale: number): tf.Tensor[] {
  const z = tf.tensor2d(seeded(n * v, 3, logitScale), [n, v]);
  const t = tf.tensor1d(targetsFor(n, v), 'int32');
  const m = tf.tensor1d(mask, 'float32');
  const loss = f(z, t, m);
  const dz = tf.grad((a: tf.Tensor) => f(a as tf.Tensor2D, t, m).mul(2.5))(z);
  return [loss, dz];
}

describe.skipIf(!gpu)('fused softmax cross-entropy kernel (WebGPU)', () => {
  const someZeros = (n: number) => Array.from({ length: n }, (_, i) => (i % 4 === 2 || i === n - 1 ? 0 : 1));
  const cases: [string, number, number, number[], number][] = [
    ['V = 300 (vec4), N = 13, some mask zeros', 13, 300, someZeros(13), 4],
    ['V = 257 (scalar), N = 13, some mask zeros', 13, 257, someZeros(13), 4],
    ['V = 300, logits up to ±100 (exp overflows without the max subtraction)', 7, 300, someZeros(7), 100],
    ['V = 1031 (scalar, more columns than threads), N = 5', 5, 1031, [1, 1, 0, 1, 1], 8],
    ['all-zero mask: loss 0, finite zero gradient', 6, 257, new Array(6).fill(0), 4],
  ];
  for (const [name, n, v, mask, logitScale] of cases) {
    it(`matches maskedCrossEntropy on cpu: loss and dlogits, ${name}`, async () => {
      const want = tf.tidy(() => run(maskedCrossEntropy, n, v, mask, logitScale)).map((t) => {
        const d = t.dataSync() as Float32Array;
        t.dispose();
        return d;
      });
      const [loss, dz] = await onWebgpu(() => run(crossEntropyFused, n, v, mask, logitScale));
      const errLoss = maxRelErr(loss, want[0]);
      const errGrad = maxRelErr(dz, want[1]);
      console.log(`crossEntropy N=${n} V=${v}: loss ${loss[0]} vs ${want[0][0]}, max rel err loss / dlogits: ${errLoss.toExponential(2)} / ${errGrad.toExponential(2)}`);
      expect(dz.every(Number.isFinite)).toBe(true);
      expect(errLoss).toBeLessThan(1e-4);
      expect(errGrad).toBeLessThan(1e-4);
      if (mask.every((x) => x === 0)) {
        expect(loss[0]).toBe(0);
        expect(dz.every((x) => x === 0)).toBe(true);
      }
      // masked rows get exactly zero gradient
      mask.forEach((m, i) => {
        if (m === 0) expect(dz.subarray(i * v, (i + 1) * v).every((x) => x === 0)).toBe(true);
      });
    });
  }

  it('leaves no tensors behind (forward and backward inside tidy)', async () => {
    await onWebgpu(() => {
      // warm-up: tfjs caches small constants
      tf.tidy(() => {
        run(crossEntropyFused, 5, 40, [1, 0, 1, 1, 1], 1);
      });
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        run(crossEntropyFused, 5, 40, [1, 0, 1, 1, 1], 1);
      });
      expect(tf.memory().numTensors).toBe(before);
      return [];
    });
  });

  it('the composite loss (kernels: stock) is right past 2^24 logits on webgpu, where tfjs gathers by f32 index', async () => {
    // 720 rows × 24,000 = 17.28M logits: a flat index n·V + t[n] above 2^24 = 16,777,216 loses its low bits in f32
    const [n, v] = [720, 24000];
    const z = seeded(n * v, 11, 3);
    const t = Int32Array.from({ length: n }, (_, i) => v - 1 - ((i * 7919) % 97)); // near each row's end
    let want = 0; // float64 reference
    for (let r = 0; r < n; r++) {
      let m = -Infinity;
      for (let c = 0; c < v; c++) m = Math.max(m, z[r * v + c]);
      let s = 0;
      for (let c = 0; c < v; c++) s += Math.exp(z[r * v + c] - m);
      want += (m + Math.log(s) - z[r * v + t[r]]) / n;
    }
    useKernels('stock');
    try {
      const [loss] = await onWebgpu(() => maskedCrossEntropy(tf.tensor2d(z, [n, v]), tf.tensor1d(t, 'int32'), tf.ones([n]) as tf.Tensor1D));
      console.log(`composite crossEntropy N=${n} V=${v} on webgpu: ${loss[0]} vs float64 ${want}`);
      expect(Math.abs(loss[0] - want) / want).toBeLessThan(1e-6);
    } finally {
      useKernels('auto');
    }
  });
});
