import * as tf from '@tensorflow/tfjs';
import { readdirSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONFIG_DIR, loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { disposeWeights, forward, initWeights } from '../../../src/model/nn/gpt.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../../../src/core/config/gptConfig.ts';
import { feedCached, KvCache, slideKeep } from '../../../src/model/nn/kvCache.ts';
import { Rng } from '../../../src/model/nn/rng.ts';
import { randomizeWeights } from './ref64.ts';
import { BLOCK_VARIANTS, tiny } from './tiny.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const PROMPT = 16;
const NEW = 200;

/** Every shipped config's blocks (as zoo.test.ts) at width 32, vocab 40, context 256; plus the tiny block variants. */
function architectures(): [string, GptConfig][] {
  const zoo = readdirSync(CONFIG_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.replace(/\.yaml$/, ''))
    .sort()
    .map((name): [string, GptConfig] => {
      const full = loadConfig(name);
      const gqa = full.kvHeads > 0 && full.kvHeads < full.heads;
      return [
        name,
        resolveGptConfig({
          ...full, vocabSize: 40, context: 256, layers: 2, hidden: 32, heads: 4, kvHeads: gqa ? 2 : 0, headDim: 8, ffn: 48,
          kvLatent: full.attention === 'latent' ? 16 : 0,
        }),
      ];
    });
  const variants = Object.entries(BLOCK_VARIANTS).map(([name, over]): [string, GptConfig] => [name, tiny({ ...over, context: 256 })]);
  return [...zoo, ...variants];
}

describe('feedCached against the full forward pass', () => {
  it('covers GQA, latent KV, learned positions and layer norm + GELU', () => {
    const cs = architectures().map(([, c]) => c);
    expect(cs.some((c) => c.attention === 'gqa' && c.kvHeads < c.heads)).toBe(true);
    expect(cs.some((c) => c.attention === 'latent')).toBe(true);
    expect(cs.some((c) => c.positions === 'learned')).toBe(true);
    expect(cs.some((c) => c.norm === 'layer' && c.mlp === 'gelu')).toBe(true);
  });

  for (const [name, c] of architectures()) {
    it(`${name}: logits agree within 1e-4 at every position of a ${NEW}-token generation`, () => {
      const w = initWeights(c, 5);
      randomizeWeights(w, 11, 0.2); // logits of scale ~1, so the tolerance means something
      const rng = new Rng(3);
      const ids = Array.from({ length: PROMPT }, () => rng.int(c.vocabSize));
      const cache = new KvCache(c);
      const rows: Float32Array[] = [];
      let pending = ids.slice();
      for (let n = 0; n < NEW; n++) {
        const logits = feedCached(tf.tensor2d(pending, [1, pending.length], 'int32'), w, c, cache);
        const row = logits.dataSync() as Float32Array;
        logits.dispose();
        rows.push(row);
        // sample from the cached logits so the sequence is a real generation
        const id = sampleRow(row, rng);
        ids.push(id);
        pending = [id];
      }
      expect(cache.length).toBe(PROMPT + NEW - 1);
      const full = tf.tidy(() => forward(tf.tensor2d(ids.slice(0, -1), [1, ids.length - 1], 'int32'), w, c).arraySync()[0]);
      let maxErr = 0;
      let maxAbs = 0;
      rows.forEach((row, n) => {
        const ref = full[PROMPT - 1 + n];
        for (let j = 0; j < c.vocabSize; j++) {
          maxErr = Math.max(maxErr, Math.abs(row[j] - ref[j]));
          maxAbs = Math.max(maxAbs, Math.abs(ref[j]));
        }
      });
      expect(maxAbs).toBeGreaterThan(0.3);
      expect(maxErr).toBeLessThan(1e-4);
      cache.dispose();
      disposeWeights(w);
    });
  }

  it('a chunked feed after cached positions (offset mask) equals the full pass', () => {
    const c = tiny({ context: 32 });
    const w = initWeights(c, 2);
    randomizeWeights(w, 4, 0.3);
    const ids = [1, 5, 7, 2, 9, 3, 4, 8, 6, 10];
    const cache = new KvCache(c);
    feedCached(tf.tensor2d(ids.slice(0, 4), [1, 4], 'int32'), w, c, cache).dispose();
    const chunk = feedCached(tf.tensor2d(ids.slice(4), [1, 6], 'int32'), w, c, cache);
    const got = chunk.dataSync();
    const ref = tf.tidy(() => forward(tf.tensor2d(ids, [1, ids.length], 'int32'), w, c).arraySync()[0][ids.length - 1]);
    for (let j = 0; j < c.vocabSize; j++) expect(Math.abs(got[j] - ref[j])).toBeLessThan(1e-4);
    chunk.dispose();
    cache.dispose();
    disposeWeights(w);
  });

  it('refuses to pass the context', () => {
    const c = tiny();
    const w = initWeights(c, 1);
    const cache = new KvCache(c);
    feedCached(tf.tensor2d([[1, 2, 3, 4, 5, 6]], [1, 6], 'int32'), w, c, cache).dispose();
    expect(() => feedCached(tf.tensor2d([[1]], [1, 1], 'int32'), w, c, cache)).toThrow(/exceed the context of 6/);
    cache.dispose();
    disposeWeights(w);
  });

  it('slideKeep keeps 3/4 of the context (at least 1)', () => {
    expect(slideKeep(512)).toBe(384);
    expect(slideKeep(16)).toBe(12);
    expect(slideKeep(3)).toBe(2);
    expect(slideKeep(1)).toBe(1);
  });
});

function sampleRow(row: Float32Array, rng: Rng): number {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  const p = Array.from(row, (v) => Math.exp(v - max));
  let u = rng.next() * p.reduce((a, b) => a + b, 0);
  for (let i = 0; i < p.length; i++) if ((u -= p[i]) < 0) return i;
  return p.length - 1;
}
