/**
 * Each fused WebGPU kernel against the stock composite it replaces, both on the GPU, at the
 * Poetru-75M shapes (B = 8 rows of T = 512): forward values and gradients compared, and the time of
 * forward + backward for each (median of 5, each ended by a read), so the bench says what each
 * kernel buys. KERNELS_SMALL=1 shrinks the shapes to check the script on a CPU (lavapipe).
 */
import * as tf from '@tensorflow/tfjs';
import { AdamW } from '../src/model/nn/adamw.ts';
import { attentionHeads, causalMask, layerNorm, rmsNorm } from '../src/model/nn/gpt.ts';
import { type FlashLanes, flashAttention, flashLanesAvailable, flashLanesFor, setFlashLanes } from '../src/model/kernels/webgpu/flashAttention.ts';
import { useKernels } from '../src/model/kernels/select.ts';
import { layerNormFused, rmsNormFused } from '../src/model/kernels/webgpu/norms.ts';
import { crossEntropyFused } from '../src/model/kernels/webgpu/crossEntropy.ts';
import { maskedCrossEntropy } from '../src/model/nn/loss.ts';
import { applyRope, ropeTables } from '../src/model/nn/rope.ts';
import { dropoutFused } from '../src/model/kernels/webgpu/dropout.ts';
import { ropeFused } from '../src/model/kernels/webgpu/rope.ts';
import { swigluFused } from '../src/model/kernels/webgpu/swiglu.ts';

export interface KernelCheck {
  readonly name: string;
  readonly shape: string;
  /** Largest relative error of the fused outputs (values and gradients) against the stock ones. */
  readonly maxRelErr: number;
  readonly stockMs: number;
  readonly fusedMs: number;
}

type Case = {
  name: string;
  shape: string;
  /** Builds inputs (kept), returns a function that computes outputs with the fused or stock op. */
  setup(): { run(fused: boolean): tf.Tensor[]; dispose(): void };
};

// read when the cases are built: bench/gpu.ts sets KERNELS_SMALL after this module is imported
const small = () => process.env.KERNELS_SMALL === '1';
const dims = () => ({ rows: small() ? 256 : 8 * 512, C: small() ? 96 : 640, V: small() ? 1000 : 24000, F: small() ? 256 : 1728, T: small() ? 64 : 512, H: small() ? 4 : 8, d: small() ? 32 : 80 });

/**
 * A quasi-random [..., n] tensor with the given mean and spread, made on the GPU: sin(r·c) of a row
 * and a column index ramp (tfjs draws random tensors in JavaScript, seconds for a [B·T, V] input).
 */
function varied(shape: number[], mean: number, std: number, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const cols = shape[shape.length - 1];
    const rows = shape.reduce((a, b) => a * b, 1) / cols;
    const r = tf.range(0, rows).mul(0.6180339).add(1 + seed).reshape([rows, 1]);
    const c = tf.range(0, cols).mul(0.7548776).add(1 + 2 * seed).reshape([1, cols]);
    return tf.sin(r.mul(c)).mul(std * Math.SQRT2).add(mean).reshape(shape);
  });
}

/** Outputs of `f` and its gradients w.r.t. `xs` for the upstream weights `up`. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], up: tf.Tensor): tf.Tensor[] {
  const y = f(...xs);
  const grads = tf.grads((...a: tf.Tensor[]) => f(...a).mul(up).sum())(xs);
  return [y, ...grads];
}

type Norm = (x: tf.Tensor, scale: tf.Tensor, eps: number) => tf.Tensor;

/** A norm (stock `composite`, `fused` kernel) on x [rows, C] with a scale near 1. */
function normCase(name: string, composite: Norm, fused: Norm, rows: number, C: number): Case {
  return {
    name,
    shape: `x [${rows}, ${C}]`,
    setup() {
      const x = varied([rows, C], 0, 1, 1);
      const s = varied([C], 1, 0.1, 2);
      const up = varied([rows, C], 0, 1, 3);
      return {
        run: (f) => withGrads((a, b) => (f ? fused : composite)(a, b, 1e-6), [x, s], up),
        dispose: () => tf.dispose([x, s, up]),
      };
    },
  };
}

/**
 * Attention as the model runs it: heads in the projections' token-major order (the stock path splits
 * and merges them); flash attention with `lanes` threads per row (the case fails where the device or
 * head dim cannot run that many: no subgroups, or ⌈d/4⌉ not divisible).
 */
function attentionCase(lanes: FlashLanes, rows: number, T: number, H: number, d: number): Case {
  return {
    name: lanes === 1 ? 'attention' : `attention/${lanes}`,
    shape: `q [${rows / T}, ${T}, ${H}, ${d}], k v [${rows / T}, ${T}, ${H / 2}, ${d}]${lanes === 1 ? '' : `, ${lanes} lanes per row`}`,
    setup() {
      const q = varied([rows / T, T, H, d], 0, 1, 11);
      const k = varied([rows / T, T, H / 2, d], 0, 1, 12);
      const v = varied([rows / T, T, H / 2, d], 0, 1, 13);
      const up = varied([rows / T, T, H, d], 0, 1, 14);
      const t = (x: tf.Tensor) => x.transpose([0, 2, 1, 3]) as tf.Tensor4D;
      const stock = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => t(attentionHeads(t(a), t(b), t(c), causalMask(T, 2)));
      const fused = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => flashAttention(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 'tokens');
      return {
        run: (f) => {
          setFlashLanes(lanes);
          try {
            if (f && flashLanesFor(d) !== lanes) throw new Error(`${lanes} lanes per row cannot run here (available: ${flashLanesAvailable(d).join(', ')})`);
            return withGrads(f ? fused : stock, [q, k, v], up);
          } finally {
            setFlashLanes(1);
          }
        },
        dispose: () => tf.dispose([q, k, v, up]),
      };
    },
  };
}

const CASES = (): Case[] => {
  const { rows, C, V, F, T, H, d } = dims();
  return [
  normCase('rmsnorm', rmsNorm, rmsNormFused, rows, C),
  normCase('layernorm', layerNorm, layerNormFused, rows, C),
  {
    name: 'cross_entropy',
    shape: `logits [${rows}, ${V}]`,
    setup() {
      const z = varied([rows, V], 0, 2, 4);
      const t = tf.randomUniform([rows], 0, V, 'int32', 5) as tf.Tensor1D;
      const m = tf.ones([rows]) as tf.Tensor1D;
      const up = tf.scalar(1);
      return {
        run: (fused) => withGrads((a) => (fused ? crossEntropyFused : maskedCrossEntropy)(a as tf.Tensor2D, t, m), [z], up),
        dispose: () => tf.dispose([z, t, m, up]),
      };
    },
  },
  attentionCase(1, rows, T, H, d),
  attentionCase(2, rows, T, H, d),
  attentionCase(4, rows, T, H, d),
  {
    // the registered BatchMatMul: tfjs's kernel while matmul is off, Versiflow's while on
    name: 'matmul',
    shape: `[${rows}, ${C}]·[${C}, ${2 * F}] and its gradients`,
    setup() {
      const a = varied([rows, C], 0, 1, 15);
      const b = varied([C, 2 * F], 0, 0.05, 16);
      const up = varied([rows, 2 * F], 0, 1, 17);
      return { run: () => withGrads((x, y) => tf.matMul(x, y), [a, b], up), dispose: () => tf.dispose([a, b, up]) };
    },
  },
  {
    // bias gradients: the registered Sum; tfjs's transposes first, Versiflow's sums columns in place
    name: 'sum_rows',
    shape: `Σ rows of [${rows}, ${2 * F}]`,
    setup() {
      const x = varied([rows, 2 * F], 0, 1, 18);
      return { run: () => [x.sum(0)], dispose: () => x.dispose() };
    },
  },
  {
    name: 'rope',
    shape: `q [${rows / T}, ${H}, ${T}, ${d}]`,
    setup() {
      const x = varied([rows / T, H, T, d], 0, 1, 6);
      const up = varied([rows / T, H, T, d], 0, 1, 7);
      const { cos, sin } = ropeTables(T, d, 10000);
      return { run: (fused) => withGrads((a) => (fused ? ropeFused : applyRope)(a, cos, sin, 'half'), [x], up), dispose: () => tf.dispose([x, up]) };
    },
  },
  {
    name: 'swiglu',
    shape: `gate|up [${rows}, ${2 * F}]`,
    setup() {
      const gu = varied([rows, 2 * F], 0, 1, 8);
      const up = varied([rows, F], 0, 1, 9);
      const stock = (a: tf.Tensor) => {
        const [g, u] = tf.split(a, 2, -1);
        return g.mul(g.sigmoid()).mul(u);
      };
      return { run: (fused) => withGrads((a) => (fused ? swigluFused(a as tf.Tensor2D) : stock(a)), [gu], up), dispose: () => tf.dispose([gu, up]) };
    },
  },
  {
    // masks differ (GPU hash vs tfjs's generator): compares the kept share and the output's sum, not elements
    name: 'dropout',
    shape: `x [${rows}, ${C}], rate 0.1`,
    setup() {
      const x = tf.ones([rows, C]);
      const up = tf.ones([rows, C]);
      const kept = (y: tf.Tensor) => y.greater(0).cast('float32').mean().reshape([1]);
      return {
        run: (fused) => {
          const [y, dx] = withGrads((a) => (fused ? dropoutFused(a, 0.1, 5) : tf.dropout(a, 0.1, undefined, 5)), [x], up);
          return [kept(y), kept(dx)];
        },
        dispose: () => tf.dispose([x, up]),
      };
    },
  },
  {
    name: 'adamw',
    shape: `12 × [${C}, ${F}] parameters`,
    setup() {
      const shape = [C, F];
      const params = new Map(Array.from({ length: 12 }, (_, i) => [`p${i}`, tf.variable(varied(shape, 0, 0.02, 10 + i))] as const));
      const grads = Object.fromEntries([...params.keys()].map((k, i) => [k, varied(shape, 0, 1e-3, 30 + i)]));
      const start = new Map([...params].map(([k, v]) => [k, v.clone()]));
      return {
        run() {
          for (const [k, v] of params) v.assign(start.get(k)!.add(0)); // same start for both
          const opt = new AdamW(params, new Set(params.keys()), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
          opt.apply(grads, 1e-3).dispose();
          opt.dispose();
          return [...params.values()].map((v) => v.add(0));
        },
        dispose: () => tf.dispose([...params.values(), ...Object.values(grads), ...start.values()]),
      };
    },
  },
  ];
};

/** Extra cases registered by other kernel modules (attention, matmul) as they land. */
export const EXTRA_CASES: Case[] = [];

export async function checkKernels(log: (s: string) => void): Promise<KernelCheck[]> {
  const out: KernelCheck[] = [];
  for (const c of [...CASES(), ...EXTRA_CASES]) {
    try {
      const r = await checkOne(c);
      out.push(r);
      log(
        `(k) ${r.name.padEnd(13)} ${r.shape}: max rel err ${r.maxRelErr.toExponential(2)}; fwd+bwd stock ${r.stockMs.toFixed(2)} ms, fused ${r.fusedMs.toFixed(2)} ms (${(r.stockMs / r.fusedMs).toFixed(2)}×)`,
      );
    } catch (e) {
      log(`(k) ${c.name}: FAILED: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  useKernels('auto');
  return out;
}

async function checkOne(c: Case): Promise<KernelCheck> {
  const io = c.setup();
  try {
    const read = async (fused: boolean) => {
      useKernels(fused ? 'fused' : 'stock');
      const ys = tf.tidy(() => io.run(fused));
      const vals = await Promise.all(ys.map((y) => y.data() as Promise<Float32Array>));
      tf.dispose(ys);
      return vals;
    };
    const stock = await read(false);
    const fused = await read(true);
    let err = 0;
    stock.forEach((s, i) => (err = Math.max(err, relErr(fused[i], s))));
    const time = async (fused: boolean) => {
      const ms: number[] = [];
      for (let k = 0; k < 6; k++) {
        useKernels(fused ? 'fused' : 'stock');
        const t0 = performance.now();
        const sums = tf.tidy(() => io.run(fused).map((y) => y.sum()));
        await Promise.all(sums.map((y) => y.data())); // a sum of every output read: the whole chain has run
        if (k > 0) ms.push(performance.now() - t0); // first run compiles
        tf.dispose(sums);
      }
      return ms.sort((a, b) => a - b)[ms.length >> 1];
    };
    return { name: c.name, shape: c.shape, maxRelErr: err, stockMs: await time(false), fusedMs: await time(true) };
  } finally {
    io.dispose();
  }
}

/** max |a − b| / max |b| (relative to the tensor's scale: gradients have many near-zero entries). */
function relErr(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / (s || 1);
}
