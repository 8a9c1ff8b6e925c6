/**
 * The ship bench's model: minitron-48m's width (configs/minitron-48m.yaml: 10 blocks of 512, 8 heads,
 * context 1024, RMSNorm, RoPE, tied head, vocab 32000) at random init, written as a checkpoint. Its
 * two-matrix GELU MLP has no Transformers class, so the ONNX export refuses it; the closest exportable
 * shape is used instead: a SwiGLU MLP of width 1368 (three matrices of 512×1368 ≈ two of 512×2048),
 * 47.88M parameters against minitron's 47.85M.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configToSnake, normalizeConfig } from '../src/core/config/normalizeConfig.ts';
import { readTensors } from '../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../src/model/tokenizer/charTokenizer.ts';
import { saveCheckpoint } from '../src/streams/checkpoints/checkpointStore.ts';

export const SHIP_BENCH_SHAPE = { context: 1024, layers: 10, hidden: 512, heads: 8, norm: 'rms', positions: 'rope', mlp: 'swiglu', ffn: 1368, tied: true, vocab_size: 32000, init_std: 0.02 } as const;

/** Writes the bench checkpoint into a fresh temp run directory; returns its path and parameter count. */
export async function writeShipBenchCheckpoint(): Promise<{ path: string; params: number }> {
  const tokenizer = new CharTokenizer('abcdefghijklmnopqrstuvwxyz .,!?\n'.split(''));
  const config = normalizeConfig({ ...SHIP_BENCH_SHAPE, backend: 'cpu' }, 'bench ship');
  const gpt = resolveGptConfig({ ...config, vocabSize: SHIP_BENCH_SHAPE.vocab_size });
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
