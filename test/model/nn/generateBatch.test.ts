import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { type GenerateOptions, generateTokens, type Token } from '../../../src/model/nn/generate.ts';
import { generateBatch, generateMany } from '../../../src/model/nn/generateBatch.ts';
import { disposeWeights } from '../../../src/model/nn/gpt.ts';
import { keyedScheme } from '../../../src/model/watermark/keyed.ts';
import { genModel } from './genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

async function one(m: ReturnType<typeof genModel>, prompt: readonly number[], opts: GenerateOptions): Promise<Token[]> {
  const out: Token[] = [];
  for await (const t of generateTokens(m, prompt, opts)) out.push(t);
  return out;
}

/** What generateTokens gives for one prompt, in a Generation's terms. */
async function sequential(m: ReturnType<typeof genModel>, prompt: readonly number[], opts: GenerateOptions) {
  const toks = await one(m, prompt, opts);
  const last = toks.at(-1)!;
  return {
    ids: toks.filter((t) => t.finish !== 'eos').map((t) => t.id),
    text: toks.map((t) => t.text).join(''),
    finish: last.finish,
    green: toks.filter((t) => t.green).length,
  };
}

describe('generateBatch / generateMany (batched decoding)', () => {
  it('each row equals generateTokens with its seed: sampled, prompts of two lengths, batch 3', async () => {
    const m = genModel();
    const tok = m.tokenizer!;
    const prompts = ['ab', 'the', 'cd', 'xyz', 'ef', 'go'].map((s) => tok.encode(s));
    const opts = { maxNewTokens: 30, temperature: 1, topK: 0, eosIds: [] };
    const got = await generateMany(m, prompts, { ...opts, seed: 5, batchSize: 3 });
    for (let i = 0; i < prompts.length; i++) {
      const want = await sequential(m, prompts[i], { ...opts, seed: 5 + i });
      expect(got[i].ids).toEqual(want.ids);
      expect(got[i].text).toBe(want.text);
      expect(got[i].finish).toBe('length');
    }
    disposeWeights(m.weights);
  });

  it('rows end on their own: EOS, a stop string or the length, the others go on; the result does not depend on the batch size', async () => {
    const m = genModel();
    const tok = m.tokenizer!;
    const prompts = Array.from({ length: 6 }, () => tok.encode('a'));
    // letters as "EOS" ids and a stop string: rows end at different tokens
    const opts = { maxNewTokens: 25, temperature: 1, topK: 0, eosIds: [tok.encode('e')[0]], stop: ['o'] };
    const batched = await generateMany(m, prompts, { ...opts, seed: 11, batchSize: 6 });
    const single = await generateMany(m, prompts, { ...opts, seed: 11, batchSize: 1 });
    expect(batched).toEqual(single);
    for (let i = 0; i < prompts.length; i++) {
      const want = await sequential(m, prompts[i], { ...opts, seed: 11 + i });
      expect({ ids: batched[i].ids, text: batched[i].text, finish: batched[i].finish }).toEqual({ ids: want.ids, text: want.text, finish: want.finish });
    }
    expect(new Set(batched.map((g) => g.finish)).size).toBeGreaterThan(1);
    disposeWeights(m.weights);
  });

  it('slides past the context like one row does (greedy, context 16, 40 new tokens) and counts green ids', async () => {
    const m = genModel({ context: 16 });
    const tok = m.tokenizer!;
    const scheme = keyedScheme({ vocabSize: m.config.vocabSize, key: 'k' });
    const prompts = ['abcdefghij', 'klmnopqrst', 'uvwxyz abc'].map((s) => tok.encode(s));
    const opts = { maxNewTokens: 40, temperature: 0, topK: 0, eosIds: [], watermark: scheme };
    const got = await generateBatch(m, prompts, opts);
    for (let i = 0; i < prompts.length; i++) {
      const want = await sequential(m, prompts[i], opts);
      expect(got[i].ids).toEqual(want.ids);
      expect(got[i].green).toBe(want.green);
      expect(got[i].logprobs).toHaveLength(40);
    }
    disposeWeights(m.weights);
  });

  it('one forward of B positions per token; refuses unequal prompt lengths in one batch', async () => {
    const m = genModel();
    const fed: number[] = [];
    await generateBatch(m, [[3, 4], [5, 6], [7, 8]], { maxNewTokens: 5, temperature: 0, topK: 0, eosIds: [], onForward: (n) => fed.push(n) });
    expect(fed).toEqual([6, 3, 3, 3, 3]);
    await expect(generateBatch(m, [[3], [4, 5]], { maxNewTokens: 2, temperature: 0, topK: 0 })).rejects.toThrow(/same number of ids/);
    expect(await generateMany(m, [], { maxNewTokens: 2, temperature: 0, topK: 0 })).toEqual([]);
    // no tensor outlives a batch (the cache and the logits are freed; a second run adds nothing)
    const opts = { maxNewTokens: 70, temperature: 0, topK: 0, eosIds: [] };
    await generateBatch(m, [[3, 4], [5, 6]], opts);
    const before = tf.memory().numTensors;
    await generateBatch(m, [[3, 4], [5, 6]], opts);
    expect(tf.memory().numTensors).toBe(before);
    disposeWeights(m.weights);
  });
});
