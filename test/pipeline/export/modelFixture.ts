import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { configToSnake, normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import type { NamedArray } from '../../../src/model/formats/safetensors.ts';
import { forward, type Weights } from '../../../src/model/nn/gpt.ts';
import { countParams, paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../../../src/core/config/gptConfig.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import type { Tokenizer } from '../../../src/model/tokenizer/types.ts';
import { saveCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';

/** Characters of the fixture char tokenizer (vocab 3 + 40). */
export const FIXTURE_CHARS = 'abcdefghijklmnopqrstuvwxyz .,!?\nАБВГДЕЖЗ'.split('');

/**
 * Seeded random weights for every tensor of `c` (paramSpecs order): matrices N(0, std), norm scales
 * 1 + N(0, 0.1), biases N(0, 0.1), so every block, bias and norm moves the logits.
 */
export function randomTensors(c: GptConfig, seed: number, std = 0.3): NamedArray[] {
  const rng = new Rng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
  return paramSpecs(c).map((s) => {
    const n = s.shape.reduce((a, d) => a * d, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = s.init === 'ones' ? 1 + 0.1 * normal() : s.init === 'zeros' ? 0.1 * normal() : std * normal();
    return { name: s.name, shape: s.shape, data };
  });
}

/**
 * Writes a run directory with one checkpoint (step `step`) of a random-weight model: `keys` are
 * config keys (snake_case) over a small default; returns the checkpoint path and the resolved model.
 */
export async function writeModelCheckpoint(
  keys: Record<string, unknown>,
  opts: { tokenizer?: Tokenizer; seed?: number; std?: number; step?: number; runDir?: string } = {},
): Promise<{ path: string; runDir: string; gpt: GptConfig; tensors: NamedArray[]; tokenizer: Tokenizer }> {
  const tokenizer = opts.tokenizer ?? new CharTokenizer(FIXTURE_CHARS);
  const config = normalizeConfig({ context: 16, layers: 2, hidden: 16, heads: 4, kv_heads: 2, ffn: 32, backend: 'cpu', ...keys }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize || tokenizer.vocabSize });
  const tensors = randomTensors(gpt, opts.seed ?? 7, opts.std);
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'versiflow-export-'));
  const { path } = await saveCheckpoint(runDir, {
    model: tensors,
    optimizer: [],
    tokenizer: tokenizer.toJSON(),
    state: {
      format: 'versiflow-checkpoint', step: opts.step ?? 0, epoch: 0, config: { ...configToSnake(config), vocab_size: gpt.vocabSize },
      data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: 2.5, valLoss: 2.75,
      tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString(),
    },
  });
  return { path, runDir, gpt, tensors, tokenizer };
}

/** Versiflow's logits [T·V] for one sequence, from plain arrays (the current tfjs backend). */
export function versiflowLogits(gpt: GptConfig, tensors: readonly NamedArray[], ids: readonly number[]): Float32Array {
  const w = new Map(tensors.map((t) => [t.name, tf.tensor(t.data, [...t.shape], 'float32')]));
  try {
    return tf.tidy(() => forward(tf.tensor2d([...ids], [1, ids.length], 'int32'), w as unknown as Weights, gpt).dataSync() as Float32Array);
  } finally {
    for (const v of w.values()) v.dispose();
  }
}
