import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToSnake, normalizeConfig } from '../../src/core/config/normalizeConfig.ts';
import { readTensors } from '../../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../../src/model/tokenizer/charTokenizer.ts';
import { saveCheckpoint } from '../../src/streams/checkpoints/checkpointStore.ts';
import { CHARS } from '../model/nn/genModel.ts';

/**
 * A random-weight char-level checkpoint (2 layers, width 32, context 64, no training) written with
 * saveCheckpoint into a fresh temp run directory; returns the checkpoint path. Weights scaled up
 * (init_std 0.3) so sampling is not uniform.
 */
export async function writeTestCheckpoint(): Promise<string> {
  const tokenizer = new CharTokenizer(CHARS);
  const config = normalizeConfig({ context: 64, layers: 2, hidden: 32, heads: 4, kv_heads: 2, ffn: 64, vocab_size: tokenizer.vocabSize, init_std: 0.3, backend: 'cpu' }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: tokenizer.vocabSize });
  const w = initWeights(gpt, 4);
  const model = await readTensors(w);
  disposeWeights(w);
  const run = mkdtempSync(join(tmpdir(), 'versiflow-gen-'));
  const { path } = await saveCheckpoint(run, {
    model,
    optimizer: [],
    tokenizer: tokenizer.toJSON(),
    state: {
      format: 'versiflow-checkpoint', version: 1, step: 0, epoch: 0, config: configToSnake(config),
      data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null,
      tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString(),
    },
  });
  return path;
}

/** A CliIO that records what commands write. */
export function captureIO(): { io: { stdout: { write(s: string): boolean }; stderr: { write(s: string): boolean } }; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    io: { stdout: { write: (s: string) => ((out += s), true) }, stderr: { write: (s: string) => ((err += s), true) } },
    out: () => out,
    err: () => err,
  };
}
