import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { type GenerateOptions, generateTokens, type Token } from '../../../src/model/nn/generate.ts';
import { disposeWeights, forward } from '../../../src/model/nn/gpt.ts';
import { slideKeep } from '../../../src/model/nn/kvCache.ts';
import { argmax } from '../../../src/model/nn/sample.ts';
import { poetruScheme } from '../../../src/model/watermark/poetru.ts';
import { genModel } from './genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

async function collect(it: AsyncIterable<Token>): Promise<Token[]> {
  const out: Token[] = [];
  for await (const t of it) out.push(t);
  return out;
}

// eosIds: [] so random weights never end a run early on the tokenizer's EOS
const SAMPLED: GenerateOptions = { maxNewTokens: 40, temperature: 1, topK: 0, seed: 7, eosIds: [] };

describe('generateTokens', () => {
  it('a seed reproduces a generation exactly; another seed gives another one', async () => {
    const m = genModel();
    const a = await collect(generateTokens(m, 'hello', SAMPLED));
    const b = await collect(generateTokens(m, 'hello', SAMPLED));
    const c = await collect(generateTokens(m, 'hello', { ...SAMPLED, seed: 8 }));
    expect(a.length).toBe(40);
    expect(b).toEqual(a);
    expect(c.map((t) => t.id)).not.toEqual(a.map((t) => t.id));
    disposeWeights(m.weights);
  });

  it('cached and uncached draw the same tokens while the context has room', async () => {
    const m = genModel();
    const cached = await collect(generateTokens(m, 'the ', SAMPLED));
    const uncached = await collect(generateTokens(m, 'the ', { ...SAMPLED, cache: false }));
    expect(cached.map((t) => t.id)).toEqual(uncached.map((t) => t.id));
    cached.forEach((t, i) => expect(Math.abs(t.logprob - uncached[i].logprob)).toBeLessThan(1e-4));
    disposeWeights(m.weights);
  });

  it('slides by the documented rule once the context is full (greedy vs a windowed full forward)', async () => {
    const m = genModel({ context: 16 });
    const prompt = m.tokenizer!.encode('abcdefghij');
    const got = await collect(generateTokens(m, prompt, { maxNewTokens: 40, temperature: 0, topK: 0 }));
    // reference: the cache covers ids[start..]; when it would pass the context it restarts at the last slideKeep ids
    const ids = [...prompt];
    let start = 0;
    const want: number[] = [];
    for (let n = 0; n < 40; n++) {
      const win = ids.slice(start);
      const row = tf.tidy(() => forward(tf.tensor2d(win, [1, win.length], 'int32'), m.weights, m.config).arraySync()[0][win.length - 1]);
      const id = argmax(Float32Array.from(row));
      want.push(id);
      ids.push(id);
      if (ids.length - start > 16) start = ids.length - slideKeep(16);
    }
    expect(got.map((t) => t.id)).toEqual(want);
    disposeWeights(m.weights);
  });

  it('reports ln p of the chosen token under the raw logits', async () => {
    const m = genModel();
    const [first] = await collect(generateTokens(m, 'ab', { ...SAMPLED, maxNewTokens: 1 }));
    const ids = m.tokenizer!.encode('ab');
    const lp = tf.tidy(() => tf.logSoftmax(forward(tf.tensor2d(ids, [1, 2], 'int32'), m.weights, m.config)).arraySync()[0][1][first.id]);
    expect(first.logprob).toBeCloseTo(lp, 5);
    expect(first.finish).toBe('length');
    disposeWeights(m.weights);
  });

  it('text deltas join to the decoded ids; a stop string cuts the text and ends generation', async () => {
    const m = genModel();
    const full = await collect(generateTokens(m, 'x', SAMPLED));
    const text = full.map((t) => t.text).join('');
    expect(text).toBe(m.tokenizer!.decode(full.map((t) => t.id)));
    const stop = text.slice(20, 22);
    const cut = text.indexOf(stop);
    const stopped = await collect(generateTokens(m, 'x', { ...SAMPLED, stop: [stop] }));
    expect(stopped.map((t) => t.text).join('')).toBe(text.slice(0, cut));
    expect(stopped.at(-1)!.finish).toBe('stop');
    // it ends at the first token whose text completes the stop string, and draws the same ids until then
    const ids = full.map((t) => t.id);
    const n = ids.findIndex((_, i) => m.tokenizer!.decode(ids.slice(0, i + 1)).includes(stop)) + 1;
    expect(stopped.map((t) => t.id)).toEqual(ids.slice(0, n));
    disposeWeights(m.weights);
  });

  it('holds back text that may begin a stop string', async () => {
    const m = genModel();
    const full = await collect(generateTokens(m, 'x', SAMPLED));
    const text = full.map((t) => t.text).join('');
    // a stop string that starts like the first character but never occurs: its first char is held back
    const stop = `${text[0]}\u0000`;
    const held = await collect(generateTokens(m, 'x', { ...SAMPLED, stop: [stop] }));
    expect(held[0].text).toBe('');
    expect(held.map((t) => t.text).join('')).toBe(text);
    disposeWeights(m.weights);
  });

  it('stops at an EOS id, reporting it as the last token', async () => {
    const m = genModel();
    const greedy = { maxNewTokens: 30, temperature: 0, topK: 0 } as const;
    const full = await collect(generateTokens(m, 'q', greedy));
    const k = full.findIndex((t, i) => i > 0 && !full.slice(0, i).some((u) => u.id === t.id));
    const eos = full[k].id;
    const out = await collect(generateTokens(m, 'q', { ...greedy, eosIds: [eos] }));
    expect(out.length).toBe(k + 1);
    expect(out.at(-1)).toMatchObject({ id: eos, finish: 'eos', text: '' });
    disposeWeights(m.weights);
  });

  it('marks green tokens when watermarking and boosts them', async () => {
    const m = genModel();
    const scheme = poetruScheme({ vocabSize: m.config.vocabSize });
    const opts = { ...SAMPLED, maxNewTokens: 60, watermark: scheme };
    const out = await collect(generateTokens(m, 'ab', opts));
    const ids = [...m.tokenizer!.encode('ab'), ...out.map((t) => t.id)];
    out.forEach((t, i) => expect(t.green).toBe(scheme.greenList([ids[i + 1]]).mask[t.id] === 1));
    const plain = await collect(generateTokens(m, 'ab', { ...opts, watermark: undefined }));
    expect(plain[0].green).toBeUndefined();
    expect(out.filter((t) => t.green).length).toBeGreaterThan(30); // γ = 0.25 without the bias
    disposeWeights(m.weights);
  });

  it('leaks no tensors: numTensors is flat across a generation after warm-up, sliding included', async () => {
    const m = genModel({ context: 16 });
    const opts = { ...SAMPLED, maxNewTokens: 50 };
    await collect(generateTokens(m, 'warm', opts)); // builds the cached masks and RoPE tables
    const before = tf.memory().numTensors;
    const during: number[] = [];
    for await (const t of generateTokens(m, 'warm', opts)) if (t.index >= 2) during.push(tf.memory().numTensors);
    expect(new Set(during).size).toBe(1);
    expect(during[0]).toBe(before + 2 * m.config.layers + 1); // K and V per layer, the transposed tied head
    expect(tf.memory().numTensors).toBe(before);
    // breaking out early frees the cache too
    for await (const t of generateTokens(m, 'warm', opts)) if (t.index === 3) break;
    expect(tf.memory().numTensors).toBe(before);
    disposeWeights(m.weights);
  });
});
