import * as tf from '@tensorflow/tfjs';
import type { AdamW } from './adamw.ts';
import type { Weights } from './gpt.ts';
import type { NamedArray } from '../formats/safetensors.ts';

/**
 * Moving model and optimizer state between tensors and plain arrays (what safetensors holds).
 * Reads are async (`data()`), so they work on every backend, WebGPU included.
 */
export async function readTensors(named: ReadonlyMap<string, tf.Tensor>, prefix = ''): Promise<NamedArray[]> {
  const out: NamedArray[] = [];
  for (const [name, t] of named) out.push({ name: prefix + name, shape: t.shape, data: (await t.data()) as Float32Array });
  return out;
}

export async function snapshotOptimizer(opt: AdamW): Promise<NamedArray[]> {
  return [...(await readTensors(opt.m, 'm.')), ...(await readTensors(opt.v, 'v.'))];
}

/**
 * Assigns arrays to variables by name. Throws naming the first missing tensor or shape mismatch, so
 * a checkpoint of another architecture is refused before anything is changed.
 */
export function assignTensors(target: ReadonlyMap<string, tf.Variable>, source: ReadonlyMap<string, NamedArray>, prefix = ''): void {
  for (const [name, v] of target) {
    const a = source.get(prefix + name);
    if (!a) throw new Error(`tensor "${prefix + name}" is missing`);
    if (a.shape.length !== v.shape.length || a.shape.some((d, i) => d !== v.shape[i])) {
      throw new Error(`tensor "${prefix + name}" has shape [${a.shape}], the model expects [${v.shape}]`);
    }
  }
  for (const [name, v] of target) {
    const a = source.get(prefix + name)!;
    tf.tidy(() => v.assign(tf.tensor(a.data, [...a.shape], 'float32')));
  }
}

export function restoreOptimizer(opt: AdamW, source: ReadonlyMap<string, NamedArray>, t: number): void {
  assignTensors(opt.m, source, 'm.');
  assignTensors(opt.v, source, 'v.');
  opt.t = t;
}

export type { Weights };
