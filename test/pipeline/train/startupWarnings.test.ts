import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { exampleArray } from '../../../src/model/nn/exampleSets.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import type { PreparedData } from '../../../src/pipeline/data/prepareData.ts';
import { cpuSpeedProbe, duration, startupWarnings } from '../../../src/pipeline/train/startupWarnings.ts';

const data = (warnings: string[] = []): PreparedData => ({
  tokenizer: new CharTokenizer(['a', 'b']),
  train: exampleArray([]),
  val: exampleArray([]),
  trainTokens: 0,
  valTokens: 0,
  docs: { train: 0, val: 0 },
  cache: { hit: false, path: null, warnings },
  close: () => {},
});
const backend = { name: 'wasm', device: 'test', skipped: [{ name: 'tensorflow', reason: 'not installed' }, { name: 'webgpu', reason: 'no adapter' }] };

describe('startupWarnings', () => {
  it('says nothing for a plain run', () => {
    expect(startupWarnings({ config: { batchSize: 4, microBatch: 0, backend: 'auto', data: 'd' }, backend, data: data(), microBatch: 0, validationBatches: 2, step: 0, time: 5 })).toEqual([]);
  });

  it('names cache rebuilds, a trained tokenizer, micro-batching, missing validation, skipped CPU backends', () => {
    const ws = startupWarnings({
      config: { batchSize: 64, microBatch: 0, backend: 'auto', data: 'poems.jsonl' },
      backend: { ...backend, skipped: [...backend.skipped, { name: 'wasm', reason: 'heap too small' }] },
      data: data(['token cache x: stale; rebuilding it']),
      trainedTokenizer: 'tok.json',
      microBatch: 16,
      validationBatches: 0,
      step: 3,
      time: 9,
    });
    expect(ws.every((w) => w.type === 'warning' && w.step === 3 && w.time === 9)).toBe(true);
    expect(ws.map((w) => w.message)).toEqual([
      'token cache x: stale; rebuilding it',
      'trained a 5-token byte-level BPE tokenizer on poems.jsonl → tok.json',
      "batch 64 does not fit the wasm backend's memory at once: accumulating gradients over micro-batches of 16",
      'no validation data (val_fraction is 0 or the corpus is too small): eval is skipped',
      'backend wasm skipped: heap too small',
    ]);
  });

  it('says how many blocks a CPU run recomputes beside its micro-batch', () => {
    const ws = startupWarnings({ config: { batchSize: 64, microBatch: 0, backend: 'wasm', data: 'poems.jsonl' }, backend, data: data(), microBatch: 8, recompute: { blocks: 1, layers: 6 }, validationBatches: 4, step: 0, time: 0 });
    expect(ws.map((w) => w.message)).toEqual([
      "batch 64 does not fit the wasm backend's memory at once: accumulating gradients over micro-batches of 8, 1 of 6 blocks recomputed in the backward (the fastest split that fits)",
    ]);
  });

  it('probes speed only for a big model on a CPU backend', async () => {
    const probe = cpuSpeedProbe({ weights: new Map(), gpt: {} as never, params: 1e6, backend: 'wasm', config: { context: 8, batchSize: 2 }, data: data(), steps: 5, step: 0, now: () => 0 });
    expect(await lastValueFrom(probe.pipe(toArray()))).toEqual([]);
  });

  it('writes durations as a person reads them', () => {
    expect([42, 4000, 40000, 400000].map(duration)).toEqual(['42 s', '67 min', '11.1 h', '4.6 days']);
  });
});
