import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { autoMicroBatch, backendVetoes } from '../../../src/pipeline/train/memoryPlan.ts';
import { ConfigError } from '../../../src/core/errors/ConfigError.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';

describe('memory planning per backend', () => {
  it('keeps tiny whole on wasm and on a GPU', () => {
    const cfg = loadConfig('tiny');
    const c = resolveGptConfig({ ...cfg, vocabSize: 146 });
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'wasm')).toBe(0);
    expect(backendVetoes(cfg)).toEqual({});
  });

  it('splits Poetru-75M into micro-batches on CPU backends, never on a GPU, and keeps it on wasm (issue #20)', () => {
    const cfg = loadConfig('75m');
    const c = resolveGptConfig({ ...cfg });
    const wasm = autoMicroBatch(c, cfg.batchSize, cfg.context, 'wasm');
    expect(wasm).toBeGreaterThanOrEqual(1);
    expect(wasm).toBeLessThan(cfg.batchSize);
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'webgpu')).toBe(0);
    expect(backendVetoes(cfg)).toEqual({});
  });

  it('on a GPU, splits a batch whose logits would not fit one storage binding (75m.yaml: batch 64 × 512 × 24,000 floats = 3.1 GB)', () => {
    const cfg = loadConfig('75m');
    const c = resolveGptConfig({ ...cfg });
    expect(cfg.batchSize).toBe(64);
    // H200/H100 through Dawn: 2 GiB; 512·24,000·4 bytes per row → at most 43 rows: two micro-batches of 32
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'webgpu', 2 ** 31)).toBe(32);
    expect(autoMicroBatch(c, 32, cfg.context, 'webgpu', 2 ** 31)).toBe(0);
    // lavapipe's 128 MiB
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'webgpu', 2 ** 27)).toBe(2);
    // a wide-context model: the stock attention's scores [rows, H, T, T] are the largest tensor
    const wide = resolveGptConfig({ ...cfg, vocabSize: 256, context: 4096 });
    expect(autoMicroBatch(wide, 8, 4096, 'webgpu', 2 ** 31)).toBe(4); // 4·4096·(8·4096) bytes = 0.5 GiB a row
    expect(autoMicroBatch(wide, 10, 4096, 'webgpu', 2 ** 31)).toBe(4); // 3 micro-batches (4, 4, 2): no more than fit 4 rows
  });

  it('refuses wasm asked for by name for a model it cannot hold, before loading it (not a heap overrun at step 1)', async () => {
    const run = setupBackend('wasm', { skip: backendVetoes(loadConfig('gpt2-preln-136m')) });
    await expect(run).rejects.toThrow(ConfigError);
    await expect(run).rejects.toThrow(/^backend wasm: micro_batch 1 × context 2500 needs ≈\d+\.\d\d GiB to train on the wasm backend .*; no context fits at micro_batch 1/);
  });
});
