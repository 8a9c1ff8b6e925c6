import * as tf from '@tensorflow/tfjs';
import { fusedOn } from '../kernels/select.ts';
import { adamwUpdateWebgpu } from '../kernels/webgpu/adamw.ts';
import { sumOfSquaresWebgpu } from '../kernels/webgpu/sumSquares.ts';
import { sumAll } from './sumAll.ts';
import { onHost } from '../kernels/cpu/hostMemory.ts';
import { adamwUpdateHost, sumOfSquaresHost } from '../kernels/cpu/adamw.ts';

export interface AdamWOptions {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;
  /** Clip the global gradient norm to this; 0 = off. */
  readonly gradClip: number;
}

/**
 * AdamW (Loshchilov & Hutter) with decoupled weight decay on the parameters marked `decay`, bias
 * correction, and global-norm gradient clipping. Moments live in variables named like the
 * parameters, so they can be saved to and loaded from optimizer.safetensors.
 * No GPU→CPU reads: the grad norm stays a tensor for the caller to read when it logs.
 * On webgpu with the `adamw` kernel on, each parameter is updated by one fused in-place kernel; on
 * the CPU backends (wasm, cpu) by one pass in place over host memory (kernels/cpu/adamw.ts: no
 * parameter-sized temporaries, which held ~15× the model's size on the wasm heap).
 * With a `gate` (see StepGuard), the update is applied only where the gate, computed on the device
 * from the grad norm, is true: a skipped step leaves parameters and moments exactly as they were
 * (tf.where, or the fused kernel's apply flag), and changes nothing when every step is applied.
 * The bias-correction count `t` lives on the host and counts every call, skipped or not.
 */
export class AdamW {
  readonly m = new Map<string, tf.Variable>();
  readonly v = new Map<string, tf.Variable>();
  /** Updates applied so far (the bias-correction t). */
  t = 0;

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    private readonly decay: ReadonlySet<string>,
    readonly opts: AdamWOptions,
  ) {
    for (const [name, p] of params) {
      // tidy frees the zerosLike temporaries; variables survive it
      this.m.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
      this.v.set(name, tf.tidy(() => tf.variable(tf.zerosLike(p), false)));
    }
  }

  /**
   * Applies one update with learning rate `lr`; returns the pre-clip global grad norm (a kept scalar).
   * `gate(norm)`, when given, returns a boolean scalar on the device: false skips this update entirely.
   */
  apply(grads: tf.NamedTensorMap, lr: number, gate?: (gradNorm: tf.Scalar) => tf.Scalar): tf.Scalar {
    this.t += 1;
    const { beta1: b1, beta2: b2, eps, weightDecay: wd, gradClip } = this.opts;
    const bc1 = 1 - b1 ** this.t;
    const bc2 = 1 - b2 ** this.t;
    if (onHost()) {
      const host = this.applyHost(grads, lr, bc1, bc2, gate);
      if (host) return host;
    }
    return tf.tidy(() => {
      const names = Object.keys(grads);
      const fused = fusedOn('adamw');
      // fused: one multi-tensor sum-of-squares kernel per 6 gradients instead of 3 kernels per gradient
      const norm = (fused ? sumOfSquaresWebgpu(names.map((n) => grads[n])) : sumAll(names.map((n) => grads[n].square().sum()))).sqrt() as tf.Scalar;
      // scale = min(1, clip / (norm + 1e-6)): stays on the device.
      const scale = (gradClip > 0 ? tf.minimum(1, tf.div(gradClip, norm.add(1e-6))) : tf.scalar(1)) as tf.Scalar;
      const ok = gate ? gate(norm) : null;
      // fused: the clip factor and the apply flag (1 or 0) in one 2-element buffer
      const scaleAndFlag = fused && ok ? tf.concat([scale.reshape([1]), ok.cast('float32').reshape([1])]) : null;
      // the gate as a boolean tensor of each parameter shape, made once per shape: zeros + flag, cast
      // (tf.where broadcasting a scalar condition tiles it, 30× slower than this on wasm)
      const okF = ok && !fused ? ok.cast('float32') : null;
      const keepMasks = new Map<string, tf.Tensor>();
      const keepFor = (x: tf.Tensor): tf.Tensor => {
        const key = x.shape.join('x');
        let k = keepMasks.get(key);
        if (!k) keepMasks.set(key, (k = tf.zerosLike(x).add(okF!).cast('bool')));
        return k;
      };
      for (const name of names) {
        const p = this.params.get(name)!;
        const m = this.m.get(name)!;
        const v = this.v.get(name)!;
        if (fused) {
          const decay = this.decay.has(name) && wd > 0 ? 1 - lr * wd : 1;
          adamwUpdateWebgpu(p, grads[name], m, v, scaleAndFlag ?? scale, { lr, beta1: b1, beta2: b2, eps, decay, bc1, bc2 }, scaleAndFlag !== null);
          continue;
        }
        const g = grads[name].mul(scale);
        const m1 = m.mul(b1).add(g.mul(1 - b1));
        const v1 = v.mul(b2).add(g.square().mul(1 - b2));
        const update = m1.div(bc1).div(v1.div(bc2).sqrt().add(eps));
        const decayed = this.decay.has(name) && wd > 0 ? p.mul(1 - lr * wd) : p;
        const p1 = decayed.sub(update.mul(lr));
        if (okF) {
          // a skipped step keeps the old values bit for bit (NaN in the rejected branch never leaks)
          const keep = keepFor(p);
          m.assign(tf.where(keep, m1, m));
          v.assign(tf.where(keep, v1, v));
          p.assign(tf.where(keep, p1, p));
        } else {
          m.assign(m1);
          v.assign(v1);
          p.assign(p1);
        }
      }
      return tf.keep(norm);
    });
  }

  /** The CPU-backend update (see adamwUpdateHost); null when a tensor is not on the host or is shared. */
  private applyHost(grads: tf.NamedTensorMap, lr: number, bc1: number, bc2: number, gate?: (gradNorm: tf.Scalar) => tf.Scalar): tf.Scalar | null {
    const { beta1, beta2, eps, weightDecay: wd, gradClip } = this.opts;
    const names = Object.keys(grads);
    const sq = sumOfSquaresHost(names.map((n) => grads[n]));
    if (sq === null) return null;
    const normValue = Math.fround(Math.sqrt(sq));
    const norm = tf.keep(tf.scalar(normValue));
    const scale = gradClip > 0 ? Math.min(1, gradClip / (normValue + 1e-6)) : 1;
    if (gate && !tf.tidy(() => gate(norm).dataSync()[0])) return norm; // skipped: nothing changes
    const slots = names.map((n) => ({ p: this.params.get(n)!, g: grads[n], m: this.m.get(n)!, v: this.v.get(n)!, decay: this.decay.has(n) && wd > 0 ? 1 - lr * wd : 1 }));
    if (adamwUpdateHost(slots, scale, { lr, beta1, beta2, eps, bc1, bc2 })) return norm;
    norm.dispose();
    return null;
  }

  dispose(): void {
    for (const x of [...this.m.values(), ...this.v.values()]) x.dispose();
  }
}
