import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/loadConfig.ts';
import { resolveGptConfig } from '../../src/model/gptConfig.ts';
import { autoMicroBatch, backendVetoes } from '../../src/pipeline/trainRun.ts';

describe('memory planning for CPU backends', () => {
  it('keeps tiny whole on wasm and on a GPU', () => {
    const cfg = loadConfig('tiny');
    const c = resolveGptConfig({ ...cfg, vocabSize: 146 });
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'wasm')).toBe(0);
    expect(backendVetoes(cfg)).toEqual({});
  });

  it('splits Poetru-75M into micro-batches on CPU backends, never on a GPU, and vetoes wasm', () => {
    const cfg = loadConfig('75m');
    const c = resolveGptConfig({ ...cfg });
    const wasm = autoMicroBatch(c, cfg.batchSize, cfg.context, 'wasm');
    const cpu = autoMicroBatch(c, cfg.batchSize, cfg.context, 'cpu');
    expect(wasm).toBeGreaterThanOrEqual(1);
    expect(cpu).toBeGreaterThan(wasm);
    expect(cpu).toBeLessThan(cfg.batchSize);
    expect(autoMicroBatch(c, cfg.batchSize, cfg.context, 'webgpu')).toBe(0);
    expect(backendVetoes(cfg).wasm).toMatch(/needs ≈\d+\.\d GiB to train, more than wasm's 2 GiB heap/);
  });
});
