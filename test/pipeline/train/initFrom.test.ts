import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { configToSnake, normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { readTensors } from '../../../src/model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { growVocab } from '../../../src/model/nn/growVocab.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { hasChatTokens } from '../../../src/model/tokenizer/chatTemplate.ts';
import { readInitFrom } from '../../../src/pipeline/train/initFrom.ts';
import { saveCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { writeTestCheckpoint } from '../../cli/checkpointFixture.ts';

/** An untied BPE checkpoint without chat tokens: 2 layers, width 16, context 32. */
async function writeBpeCheckpoint(): Promise<string> {
  const tokenizer = trainBpe(['hello world, hello there'], { vocabSize: 263, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
  const config = normalizeConfig({ context: 32, layers: 2, hidden: 16, heads: 2, ffn: 32, tied: false, vocab_size: tokenizer.vocabSize, init_std: 0.3 }, 'test');
  const gpt = resolveGptConfig({ ...config, vocabSize: tokenizer.vocabSize });
  const w = initWeights(gpt, 5);
  const model = await readTensors(w);
  disposeWeights(w);
  const { path } = await saveCheckpoint(mkdtempSync(join(tmpdir(), 'vf-init-')), {
    model, optimizer: [], tokenizer: tokenizer.toJSON(),
    state: { format: 'versiflow-checkpoint', version: 1, step: 7, epoch: 0, config: configToSnake(config), data: { seed: 1, step: 7, trainExamples: 0 }, optimizerStep: 7, bestValLoss: null, tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString() },
  });
  return path;
}

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('growVocab', () => {
  it('keeps old rows, sets new rows (and lm_head columns) to the mean of the trained ones', () => {
    const wte = { name: 'wte', shape: [3, 2], data: Float32Array.from([1, 2, 3, 4, 5, 9]) };
    const head = { name: 'lm_head', shape: [2, 3], data: Float32Array.from([1, 2, 30, 4, 6, 90]) };
    const other = { name: 'norm_f', shape: [2], data: Float32Array.from([1, 1]) };
    const out = growVocab(new Map([['wte', wte], ['lm_head', head], ['norm_f', other]]), 5, 2, [2]);
    // mean of rows 0..1 = [2, 3]; row 2 is re-initialised (an id reserved but never trained), rows 3, 4 are new
    expect(out.get('wte')).toEqual({ name: 'wte', shape: [5, 2], data: Float32Array.from([1, 2, 3, 4, 2, 3, 2, 3, 2, 3]) });
    expect(out.get('lm_head')).toEqual({ name: 'lm_head', shape: [2, 5], data: Float32Array.from([1, 2, 1.5, 1.5, 1.5, 4, 6, 5, 5, 5]) });
    expect(out.get('norm_f')).toBe(other);
    expect(() => growVocab(new Map([['wte', wte]]), 2, 2, [])).toThrow(/cannot shrink the vocabulary from 3 to 2/);
  });
});

describe('readInitFrom', () => {
  let bpe = '';
  let char = '';
  beforeAll(async () => {
    bpe = await writeBpeCheckpoint();
    char = await writeTestCheckpoint();
  });
  const cfg = (over: Record<string, unknown>) => normalizeConfig({ init_from: bpe, ...over }, 'test');

  it('sft: takes the architecture, adds the chat tokens and grows the embeddings and the untied head', async () => {
    const init = (await readInitFrom(cfg({ task: 'sft', dropout: 0.1, lr: 1e-4 })))!;
    expect(init.added).toEqual(['<|system|>', '<|user|>', '<|assistant|>', '<|end|>']);
    expect(hasChatTokens(init.tokenizer)).toBe(true);
    expect(init.config).toMatchObject({ layers: 2, hidden: 16, context: 32, tied: false, vocabSize: 267, dropout: 0.1, lr: 1e-4, task: 'sft' });
    expect(init.model.get('wte')!.shape).toEqual([267, 16]);
    expect(init.model.get('lm_head')!.shape).toEqual([16, 267]);
    expect(await readInitFrom(cfg({ task: 'sft', resume: 'latest' }))).toBeNull();
    expect(await readInitFrom(normalizeConfig({}, 'test'))).toBeNull();
  });

  it('pretrain keeps the tokenizer and the weights as they are', async () => {
    const init = (await readInitFrom(cfg({})))!;
    expect(init.added).toEqual([]);
    expect(init.model.get('wte')!.shape).toEqual([263, 16]);
  });

  it('fails naming every model key that contradicts the checkpoint, and a char tokenizer for sft', async () => {
    // heads 2 equals the checkpoint; a key set to its default (heads 4) cannot be told from an unset one and is not checked
    await expect(readInitFrom(cfg({ task: 'sft', layers: 3, hidden: 32, heads: 2 }))).rejects.toThrow(/keeps its architecture, but the run's config sets layers 3 \(run\) ≠ 2 \(checkpoint\), hidden 32 \(run\) ≠ 16 \(checkpoint\): leave these keys out/);
    await expect(readInitFrom(normalizeConfig({ init_from: char, task: 'sft' }, 'test'))).rejects.toThrow(/a char tokenizer cannot take special tokens/);
  });
});
