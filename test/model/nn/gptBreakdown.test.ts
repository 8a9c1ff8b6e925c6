import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { paramBreakdown, trainingMemory } from '../../../src/model/nn/gptBreakdown.ts';
import { countParams, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';

describe('paramBreakdown', () => {
  it('splits SmolLM2-135M into embeddings, 30 equal layers, final norm and a tied head', () => {
    const c = resolveGptConfig(loadConfig('smollm2-135m'));
    const b = paramBreakdown(c);
    expect(b).toMatchObject({ embeddings: 28_311_552, perLayer: 3_540_096, layers: 30, finalNorm: 576, head: 0, total: 134_515_008 });
    expect(b.rows.filter((r) => r.group === 'layer').map((r) => r.name)).toEqual([
      'attn_norm', 'attn.wq', 'attn.wk', 'attn.wv', 'attn.wo', 'mlp_norm', 'mlp.gate', 'mlp.up', 'mlp.down',
    ]);
  });

  it('agrees with countParams for every shipped config', () => {
    for (const name of ['75m', '25m', 'gpt2-preln-136m', 'char-10m', 'classics-46m', 'minitron-48m', 'french-40m']) {
      const c = resolveGptConfig(loadConfig(name));
      expect(paramBreakdown(c).total, name).toBe(countParams(c));
    }
  });
});

describe('trainingMemory', () => {
  it('is 16 bytes per parameter plus activations linear in the batch', () => {
    const c = resolveGptConfig(loadConfig('75m'));
    const m1 = trainingMemory(c, 1, 512);
    const m8 = trainingMemory(c, 8, 512);
    expect(m1.weights + m1.grads + m1.adam).toBe(16 * 74_899_072);
    expect(m8.activations).toBe(8 * m1.activations);
    expect(m8.total).toBe(m8.weights + m8.grads + m8.adam + m8.activations);
  });
});
