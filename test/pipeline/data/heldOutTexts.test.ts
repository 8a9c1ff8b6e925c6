import { describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { heldOutTexts } from '../../../src/pipeline/data/heldOutTexts.ts';
import { isValidationDoc } from '../../../src/streams/sources/split.ts';
import { tmpCorpus } from '../../streams/sources/tmpCorpus.ts';

const cfg = (over: Record<string, unknown>) => normalizeConfig({ token_cache: false, ...over }, 'test');

describe('heldOutTexts', () => {
  it('the validation documents of the split, in corpus order, normalised as training reads them', async () => {
    const texts = Array.from({ length: 40 }, (_, i) => `poem ${i}\ne\u0301`); // NFC folds e + combining acute
    const c = tmpCorpus({ 'p.jsonl': texts.map((text) => JSON.stringify({ text })).join('\n') });
    const got = await heldOutTexts(cfg({ data: `${c.dir}/p.jsonl`, val_fraction: 0.2, seed: 3 }));
    const want = texts.filter((_, i) => isValidationDoc(i, 3, 0.2)).map((t) => t.normalize('NFC'));
    expect(want.length).toBeGreaterThan(2);
    expect(got).toEqual(want);
    c.remove();
  });

  it('a one-document corpus holds out its tail, cut at blank lines', async () => {
    const c = tmpCorpus({ 'one.txt': 'aaaa\n\nbbbb\n\ncc\ncc\n\n\ndddd' });
    // val_fraction 0.5 of 24 chars: the tail from char 12 on
    expect(await heldOutTexts(cfg({ data: `${c.dir}/one.txt`, val_fraction: 0.5 }))).toEqual(['cc\ncc', 'dddd']);
    c.remove();
  });

  it('says when nothing is held out', async () => {
    const c = tmpCorpus({ 'p.jsonl': '{"text":"x"}\n{"text":"y"}' });
    await expect(heldOutTexts(cfg({ data: `${c.dir}/p.jsonl`, val_fraction: 0 }))).rejects.toThrow(/no held-out \(validation\) texts at val_fraction 0/);
    c.remove();
  });
});
