import { lastValueFrom, Subject } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { detectWatermark } from '../../src/model/watermark/detect.ts';
import { keyedScheme } from '../../src/model/watermark/keyed.ts';
import { evaluateWatermark } from '../../src/operators/evaluateWatermark.ts';
import { generate$ } from '../../src/operators/generate.ts';
import type { Token } from '../../src/model/nn/generate.ts';
import { genModel } from '../model/nn/genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

describe('evaluateWatermark', () => {
  it('scores a watermarked generation high and a plain one low', async () => {
    const m = genModel();
    const scheme = keyedScheme({ vocabSize: m.config.vocabSize, key: 'k' });
    const promptIds = m.tokenizer!.encode('ab');
    const opts = { maxNewTokens: 120, temperature: 1, topK: 0, seed: 1, eosIds: [] };
    const marked = await lastValueFrom(generate$(m, promptIds, { ...opts, watermark: scheme }).pipe(evaluateWatermark(scheme, { promptIds })));
    const plain = await lastValueFrom(generate$(m, promptIds, opts).pipe(evaluateWatermark(scheme, { promptIds })));
    expect(marked.watermarked).toBe(true);
    expect(marked.z).toBeGreaterThan(4);
    expect(plain.watermarked).toBe(false);
    disposeWeights(m.weights);
  });

  it('equals detectWatermark on the prompt + token ids', async () => {
    const scheme = keyedScheme({ vocabSize: 50, key: 'x' });
    const src = new Subject<Token>();
    const out = lastValueFrom(src.pipe(evaluateWatermark(scheme, { promptIds: [1, 2] })));
    for (const [index, id] of [5, 9, 4, 7].entries()) src.next({ index, id, text: '', logprob: 0 });
    src.complete();
    expect(await out).toEqual(detectWatermark([1, 2, 5, 9, 4, 7], scheme, { promptLength: 2 }));
  });

  it('stops the source when unsubscribed early', () => {
    const src = new Subject<Token>();
    const sub = src.pipe(evaluateWatermark(keyedScheme({ vocabSize: 50, key: 'x' }))).subscribe();
    sub.unsubscribe();
    expect(src.observed).toBe(false);
  });
});
