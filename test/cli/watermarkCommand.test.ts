import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { watermarkCommand } from '../../src/cli/watermarkCommand.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { generateTokens } from '../../src/model/nn/generate.ts';
import { disposeWeights } from '../../src/model/nn/gpt.ts';
import { keyedScheme } from '../../src/model/watermark/keyed.ts';
import { genModel } from '../model/nn/genModel.ts';
import { captureIO } from './checkpointFixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'versiflow-wm-'));
const idsFile = join(dir, 'ids.jsonl');
let V = 0;

beforeAll(async () => {
  await setupBackend('cpu');
  const m = genModel();
  V = m.config.vocabSize;
  const scheme = keyedScheme({ vocabSize: V, key: 'secret' });
  const lines: string[] = [];
  for (const watermark of [scheme, undefined]) {
    const ids: number[] = [];
    for await (const t of generateTokens(m, [3, 4], { maxNewTokens: 150, temperature: 1, topK: 0, seed: 2, eosIds: [], watermark })) ids.push(t.id);
    lines.push(JSON.stringify({ ids }));
  }
  writeFileSync(idsFile, `${lines.join('\n')}\n`);
  disposeWeights(m.weights);
});

describe('versiflow watermark detect', () => {
  it('finds the watermark (z ≥ 4) in watermarked ids and not in plain ones', async () => {
    const c = captureIO();
    const code = await watermarkCommand(['detect', '--scheme', 'keyed', '--key', 'secret', '--vocab-size', String(V), '--ids-file', idsFile], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    const [marked, plain] = c.out().trim().split('\n').map((l) => JSON.parse(l));
    expect(Object.keys(marked)).toEqual(['z', 'K', 'T', 'p', 'watermarked']);
    expect(marked.z).toBeGreaterThanOrEqual(4);
    expect(marked.watermarked).toBe(true);
    expect(plain.z).toBeLessThan(4);
    expect(plain.watermarked).toBe(false);
    expect(plain.p).toBeGreaterThan(marked.p);
  });

  it('the wrong key sees no watermark', async () => {
    const c = captureIO();
    await watermarkCommand(['detect', '--scheme', 'keyed', '--key', 'other', '--vocab-size', String(V), '--ids-file', idsFile], c.io);
    expect(JSON.parse(c.out().split('\n')[0]).watermarked).toBe(false);
  });

  it('explains what is missing', async () => {
    const c = captureIO();
    expect(await watermarkCommand(['detect', '--scheme', 'keyed', '--vocab-size', '43', '--ids-file', idsFile], c.io)).toBe(2);
    expect(c.err()).toMatch(/needs --key K/);
    const d = captureIO();
    await watermarkCommand(['detect', '--scheme', 'poetru', '--vocab-size', '43', '--text-file', idsFile], d.io);
    expect(d.err()).toMatch(/needs --tokenizer/);
  });
});
