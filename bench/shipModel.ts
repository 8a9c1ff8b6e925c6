/**
 * The ship bench's model: minitron-48m itself (configs/minitron-48m.yaml: 10 blocks of 512, 8 heads,
 * context 1024, RMSNorm, learned 1024 × 512 positions, exact-GELU MLP of 2048, tied head, vocab 32000,
 * 48.38M parameters) at random init (speed does not depend on the values), written as a checkpoint;
 * build-chat exports it through `exportOnnx(..., { runtime: 'versiflow' })`. The tokenizer is a
 * byte-level BPE of the config's 32000 tokens (benchTokenizer), so the poet parses a tokenizer of the real
 * size at every start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToSnake } from '../src/core/config/normalizeConfig.ts';
import { readTensors } from '../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { BpeTokenizer } from '../src/model/tokenizer/bpeTokenizer.ts';
import { trainBpe } from '../src/model/tokenizer/bpeTrainer.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { saveCheckpoint } from '../src/streams/checkpoints/checkpointStore.ts';

export const SHIP_BENCH_CONFIG = 'minitron-48m';

/**
 * A byte-level BPE tokenizer of `vocabSize` tokens: trained on one line, then grown with seeded random
 * merges (an existing token + one byte) up to the size. Its JSON has a trained tokenizer's size and
 * shape (vocab + merges); its tokens are not meaningful, which a speed bench does not need.
 */
export function benchTokenizer(vocabSize: number, seed = 1): BpeTokenizer {
  const base = trainBpe(['the moon above the quiet sea, and the sea below the moon'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const doc = structuredClone(base.toJSON()) as { model: { vocab: Record<string, number>; merges: (string | [string, string])[] } };
  const { vocab, merges } = doc.model;
  const tokens = Object.keys(vocab).filter((t) => !t.startsWith('['));
  const bytes = tokens.filter((t) => [...t].length === 1);
  let next = Math.max(...Object.values(vocab)) + 1;
  let state = seed;
  const rnd = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31), state % n);
  while (next < vocabSize) {
    const a = tokens[rnd(tokens.length)];
    const b = bytes[rnd(bytes.length)];
    if ((a + b).length > 12 || vocab[a + b] !== undefined) continue;
    vocab[a + b] = next++;
    tokens.push(a + b);
    merges.push(typeof merges[0] === 'string' ? `${a} ${b}` : [a, b]);
  }
  return BpeTokenizer.fromJSON(doc);
}

/** Writes the bench checkpoint into a fresh temp run directory; returns its path and parameter count. */
export async function writeShipBenchCheckpoint(): Promise<{ path: string; params: number }> {
  const config = loadConfig(SHIP_BENCH_CONFIG, { backend: 'cpu', dropout: 0, tokenizer: '' });
  const tokenizer = benchTokenizer(config.vocabSize);
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
