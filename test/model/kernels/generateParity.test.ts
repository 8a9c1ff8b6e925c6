import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { disposeWeights, forward, initWeights } from '../../../src/model/nn/gpt.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { feedCached, KvCache } from '../../../src/model/nn/kvCache.ts';
import { randomizeWeights } from '../nn/ref64.ts';
import { webgpuAvailable } from './webgpuHarness.ts';

const gpu = await webgpuAvailable();

/**
 * Generation on webgpu with every fused kernel on: the KV-cached path (stock attention over the
 * cache, fused RoPE at an offset, fused norms and SwiGLU) against the full forward pass (flash
 * attention). Two independent routes through the model must give the same logits.
 */
describe.skipIf(!gpu)('KV-cached generation on webgpu with fused kernels', () => {
  for (const name of ['75m', 'gpt2-preln-136m', 'smollm2-135m']) {
    it(`${name} (reduced width): cached logits equal the full pass within 1e-4 over 24 new tokens`, async () => {
      const full = loadConfig(name);
      const gqa = full.kvHeads > 0 && full.kvHeads < full.heads;
      const c = resolveGptConfig({ ...full, vocabSize: 40, context: 64, layers: 2, hidden: 32, heads: 4, kvHeads: gqa ? 2 : 0, headDim: 8, ffn: 48, kvLatent: full.attention === 'latent' ? 16 : 0 });
      await tf.setBackend('webgpu');
      try {
        const w = initWeights(c, 5);
        randomizeWeights(w, 11, 0.2);
        const ids = Array.from({ length: 8 }, (_, i) => (i * 7 + 3) % c.vocabSize);
        const cache = new KvCache(c);
        const rows: Float32Array[] = [];
        let pending = ids.slice();
        for (let n = 0; n < 24; n++) {
          const logits = feedCached(tf.tensor2d(pending, [1, pending.length], 'int32'), w, c, cache);
          const row = (await logits.data()) as Float32Array;
          logits.dispose();
          rows.push(row);
          let best = 0;
          for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
          ids.push(best);
          pending = [best];
        }
        const all = forward(tf.tensor2d(ids.slice(0, -1), [1, ids.length - 1], 'int32'), w, c);
        const ref = (await all.data()) as Float32Array;
        all.dispose();
        let maxErr = 0;
        rows.forEach((row, n) => {
          for (let j = 0; j < c.vocabSize; j++) maxErr = Math.max(maxErr, Math.abs(row[j] - ref[(8 - 1 + n) * c.vocabSize + j]));
        });
        expect(maxErr).toBeLessThan(1e-4);
        cache.dispose();
        disposeWeights(w);
      } finally {
        await tf.setBackend('cpu');
      }
    });
  }
});
