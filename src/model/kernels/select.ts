import * as tf from '@tensorflow/tfjs';
import { TILED_MIN_T } from './cpu/tiledAttention.ts';

/**
 * Which of Versiflow's fused WebGPU kernels the model and optimizer use. They replace compositions
 * of tfjs's stock kernels on the webgpu backend only; every other backend runs the composite ops.
 *   adamw          one in-place pass per parameter instead of ≈15 elementwise kernels
 *   rmsnorm        forward and backward in one pass over the rows each
 *   layernorm      the same kernels with the row mean taken out (GPT-2 style models)
 *   cross_entropy  log-sum-exp and the logits' gradient over the vocabulary without softmax/one-hot tensors
 *   attention      causal attention, flash-style: no [T, T] scores or probabilities in memory
 *   rope           rotary embedding of q and k, forward and backward (the inverse rotation) in one kernel
 *   swiglu         silu(gate)·up straight from the fused gate|up projection, gradient in one pass
 *   dropout        the mask hashed on the GPU from (seed, index): tf.dropout draws it in JavaScript
 *   matmul         tiled BatchMatMul (128×64 tiles of 8×4 register blocks, subgroup variant, split-K)
 *   sum_rows       Sum over leading axes (bias and norm-scale gradients) without tfjs's transpose first
 * Setting (config key `kernels`): auto = all of them, with attention and matmul measured against the
 * stock ops at the start of a run (tuneForRun.ts) and kept only where faster; fused = all, unmeasured;
 * stock = none; or a comma list.
 */
export const FUSED_KERNELS = ['adamw', 'rmsnorm', 'layernorm', 'cross_entropy', 'attention', 'rope', 'swiglu', 'dropout', 'matmul', 'sum_rows'] as const;
export type FusedKernel = (typeof FUSED_KERNELS)[number];

let enabled: ReadonlySet<FusedKernel> = new Set(FUSED_KERNELS);
let tuning = true;

/** Parses a `kernels` setting; throws naming the bad entry and the allowed ones. */
export function parseKernels(setting: string): ReadonlySet<FusedKernel> {
  const s = setting.trim();
  if (s === 'auto' || s === 'fused') return new Set(FUSED_KERNELS);
  if (s === 'stock' || s === '') return new Set();
  const out = new Set<FusedKernel>();
  for (const part of s.split(',').map((x) => x.trim())) {
    if (!(FUSED_KERNELS as readonly string[]).includes(part)) {
      throw new Error(`kernels: unknown kernel "${part}"; use auto, fused, stock or a comma list of ${FUSED_KERNELS.join(', ')}`);
    }
    out.add(part as FusedKernel);
  }
  return out;
}

/** Sets the fused kernels in use (process-wide, like the tfjs backend itself). */
export function useKernels(setting: string | Iterable<FusedKernel>): void {
  enabled = typeof setting === 'string' ? parseKernels(setting) : new Set(setting);
  tuning = setting === 'auto';
}

/** True under `kernels: auto`: a run should autotune attention and matmul before training (tuneForRun). */
export function autotuneWanted(): boolean {
  return tuning;
}

/** Turns one fused kernel on or off (autotuning). */
export function setKernel(k: FusedKernel, on: boolean): void {
  const next = new Set(enabled);
  if (on) next.add(k);
  else next.delete(k);
  enabled = next;
}

/** The fused kernels in use, whatever the backend. */
export function kernelsInUse(): readonly FusedKernel[] {
  return FUSED_KERNELS.filter((k) => enabled.has(k));
}

/** True when `k` is enabled and the active backend is webgpu (decided per call: tests switch backends). */
export function fusedOn(k: FusedKernel): boolean {
  return enabled.has(k) && tf.getBackend() === 'webgpu';
}

let tiling = true;

/**
 * True when causal attention over T positions runs tiled on a CPU backend (wasm, cpu:
 * cpu/tiledAttention.ts): no [T, T] scores, so memory grows with T, from TILED_MIN_T positions on,
 * where it measured no slower than the stock ops. Not part of the `kernels` setting (that is the
 * WebGPU set); decided per call, as fusedOn.
 */
export function tiledAttentionOn(T: number): boolean {
  const b = tf.getBackend();
  return tiling && T >= TILED_MIN_T && (b === 'wasm' || b === 'cpu');
}

/** Turns the CPU backends' tiled attention on or off (on by default; off to compare with the stock ops); returns the previous setting. */
export function useTiledAttention(on: boolean): boolean {
  const was = tiling;
  tiling = on;
  return was;
}
