import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocStore } from '../../../src/core/corpusDoc.ts';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { prepareData, resolveTokenizer } from '../../../src/pipeline/data/prepareData.ts';
import { tokenizedCorpus } from '../../../src/pipeline/data/tokenizedCorpus.ts';
import { tmpCorpus } from '../../streams/sources/tmpCorpus.ts';

/**
 * bos_token through data preparation: the tokenizer trained at start gets [BOS]; the in-process
 * tokenizer and the worker threads give the same documents, each [BOS] text EOS; packed windows see
 * BOS after every EOS; a token cache built without BOS is not reused with it.
 */

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

const TEXTS = Array.from({ length: 300 }, (_, i) => `poem ${i}: ${'ab cd ef '.repeat(i % 13)}end`);

function corpus(): { dir: string; base: Record<string, unknown> } {
  const t = tmpCorpus({ 'p.jsonl': TEXTS.map((text) => JSON.stringify({ text })).join('\n') + '\n' });
  cleanups.push(t.remove);
  return { dir: t.dir, base: { data: join(t.dir, 'p.jsonl'), tokenizer: join(t.dir, 'tokenizer.json'), vocab_size: 300, bos_token: true, context: 16, val_fraction: 0.1, layout: 'pack' } };
}

function docsOf(store: DocStore): number[][] {
  return Array.from({ length: store.count }, (_, d) => {
    const out = new Int32Array(store.length(d));
    store.read(d, 0, out.length, out, 0);
    return [...out];
  });
}

describe('bos_token in data preparation', () => {
  it('both tokenizing paths (this thread, worker threads) give [BOS] text [EOS] per document, the same ids', async () => {
    const { dir, base } = corpus();
    const { tokenizer, trained } = await resolveTokenizer(normalizeConfig(base));
    expect(trained).toBe(base.tokenizer);
    expect([tokenizer.addBos, tokenizer.bosId, tokenizer.eosId]).toEqual([true, 3, 1]);
    // the file written adds BOS by itself, so a later run reading it (bos_token or not) does too
    expect(tokenizerFromJSON(JSON.parse(readFileSync(base.tokenizer as string, 'utf8'))).addBos).toBe(true);

    const one = await tokenizedCorpus(normalizeConfig({ ...base, token_cache: false }), tokenizer);
    const par = await tokenizedCorpus(normalizeConfig({ ...base, cache_dir: join(dir, 'cache'), tokenize_workers: 2 }), tokenizer, { unitBytes: 2000 });
    const index = JSON.parse(readFileSync(join(par.cache.path!, 'index.json'), 'utf8'));
    expect(index.shards.length).toBeGreaterThan(2); // the worker path ran
    const a = docsOf(one.store!);
    const b = docsOf(par.store!);
    expect(b).toEqual(a);
    expect(a.length).toBe(TEXTS.length);
    TEXTS.forEach((text, i) => expect(a[i]).toEqual([3, ...tokenizer.encode(text), 1]));
    one.store!.close();
    par.store!.close();
  }, 60_000);

  it('packed windows hold BOS right after each EOS; the cache of the tokenizer without BOS is not reused', async () => {
    const { dir, base } = corpus();
    const { tokenizer } = await resolveTokenizer(normalizeConfig(base));
    const plain = tokenizerFromJSON({ ...tokenizer.toJSON(), post_processor: null }); // the same vocabulary, no BOS
    expect([plain.addBos, plain.vocabSize]).toEqual([false, tokenizer.vocabSize]);
    const cfg = normalizeConfig({ ...base, cache_dir: join(dir, 'cache') });

    const without = await prepareData(cfg, plain);
    const withBos = await prepareData(cfg, tokenizer);
    expect([without.cache.hit, withBos.cache.hit]).toEqual([false, false]);
    expect(withBos.cache.path).not.toBe(without.cache.path);
    const indexOf = (path: string | null) => JSON.parse(readFileSync(join(path!, 'index.json'), 'utf8')) as { docs: number; tokens: number };
    const [i0, i1] = [indexOf(without.cache.path), indexOf(withBos.cache.path)];
    expect(i1.docs).toBe(TEXTS.length);
    expect(i1.tokens).toBe(i0.tokens + TEXTS.length); // one BOS a document

    let pairs = 0;
    for (let i = 0; i < withBos.train.length; i++) {
      const ids = withBos.train.at(i).ids;
      for (let j = 0; j + 1 < ids.length; j++) if (ids[j] === 1) (expect(ids[j + 1]).toBe(3), pairs++);
      for (let j = 0; j < ids.length; j++) if (ids[j] === 3) expect(j === 0 || ids[j - 1] === 1).toBe(true);
    }
    expect(pairs).toBeGreaterThan(50);
    for (let i = 0; i < without.train.length; i++) expect([...without.train.at(i).ids]).not.toContain(3);

    const again = await prepareData(cfg, tokenizer);
    expect(again.cache).toMatchObject({ hit: true, path: withBos.cache.path });
    for (const d of [without, withBos, again]) d.close();
  }, 60_000);

  it('a char tokenizer gets [BOS] after its characters; each document starts with it', async () => {
    const { base } = corpus();
    const cfg = normalizeConfig({ ...base, tokenizer: 'char', token_cache: false });
    const { tokenizer } = await resolveTokenizer(cfg);
    const chars = new Set(TEXTS.join('')).size;
    expect([tokenizer.addBos, tokenizer.bosId, tokenizer.vocabSize]).toEqual([true, 3 + chars, 4 + chars]);
    const one = await tokenizedCorpus(cfg, tokenizer);
    const docs = docsOf(one.store!);
    TEXTS.forEach((text, i) => expect(docs[i]).toEqual([3 + chars, ...tokenizer.encode(text), 1]));
    one.store!.close();
  });
});
