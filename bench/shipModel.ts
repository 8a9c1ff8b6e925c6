/**
 * The ship bench's model: minitron-48m itself (configs/minitron-48m.yaml: 10 blocks of 512, 8 heads,
 * context 1024, RMSNorm, learned 1024 × 512 positions, exact-GELU MLP of 2048, tied head, vocab 32000,
 * 48.38M parameters) at random init (speed does not depend on the values), written as a checkpoint;
 * build-chat exports it through `exportOnnx(..., { runtime: 'versiflow' })`. The tokenizer is a small
 * character one (the embedding table keeps the config's 32000 rows, so the head costs what it costs).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToSnake } from '../src/core/config/normalizeConfig.ts';
import { readTensors } from '../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../src/model/tokenizer/charTokenizer.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { saveCheckpoint } from '../src/streams/checkpoints/checkpointStore.ts';

export const SHIP_BENCH_CONFIG = 'minitron-48m';

/** Writes the bench checkpoint into a fresh temp run directory; returns its path and parameter count. */
export async function writeShipBenchCheckpoint(): Promise<{ path: string; params: number }> {
  const tokenizer = new CharTokenizer('abcdefghijklmnopqrstuvwxyz .,!?\n'.split(''));
  const config = loadConfig(SHIP_BENCH_CONFIG, { backend: 'cpu', dropout: 0, tokenizer: '' });
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize });
  const w = initWeights(gpt, 7);
  const model = await readTensors(w);
  disposeWeights(w);
  const run = mkdtempSync(join(tmpdir(), 'versiflow-ship-bench-'));
  const params = countParams(gpt);
  const { path } = await saveCheckpoint(run, {
    model,
    optimizer: [],
    tokenizer: tokenizer.toJSON(),
    state: {
      format: 'versiflow-checkpoint', version: 1, step: 0, epoch: 0, config: configToSnake(config),
      data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null,
      tokenizerHash: tokenizer.hash, params, savedAt: new Date(0).toISOString(),
    },
  });
  return { path, params };
}
