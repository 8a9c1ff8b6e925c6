import { lastValueFrom, of, Subject, toArray } from 'rxjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { generateTokens, type Token } from '../../src/model/nn/generate.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { generate, generate$ } from '../../src/operators/generate.ts';
import { genModel } from '../model/nn/genModel.ts';

beforeAll(async () => {
  await setupBackend('cpu');
});

const OPTS = { maxNewTokens: 12, temperature: 1, topK: 5, seed: 3, eosIds: [] };

describe('generate', () => {
  it('streams each prompt’s tokens in order, as the model generator draws them', async () => {
    const m = genModel();
    const got = await lastValueFrom(of('ab', 'cd').pipe(generate(m, OPTS), toArray()));
    const want: Token[] = [];
    for (const p of ['ab', 'cd']) for await (const t of generateTokens(m, p, OPTS)) want.push(t);
    expect(got).toEqual(want);
    expect(got.length).toBe(24);
    disposeWeights(m.weights);
  });

  it('forwards generator errors', async () => {
    const m = genModel();
    await expect(lastValueFrom(generate$(m, [], OPTS))).rejects.toThrow(/no tokens/);
    disposeWeights(m.weights);
  });

  it('stops the source when unsubscribed early', async () => {
    const m = genModel();
    const src = new Subject<string>();
    const sub = src.pipe(generate(m, OPTS)).subscribe();
    sub.unsubscribe();
    expect(src.observed).toBe(false);
    disposeWeights(m.weights);
  });

  it('runs no further forward pass once unsubscribed', async () => {
    const m = genModel();
    let passes = 0;
    const seen: number[] = [];
    await new Promise<void>((resolve) => {
      const sub = generate$(m, 'ab', { ...OPTS, maxNewTokens: 50, onForward: () => passes++ }).subscribe((t) => {
        seen.push(t.id);
        if (t.index === 2) {
          sub.unsubscribe();
          resolve();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 200)); // time for more passes, were any still running
    expect(seen.length).toBe(3);
    expect(passes).toBe(3); // prefill (→ token 0) + 2 single-token steps
    disposeWeights(m.weights);
  });
});
