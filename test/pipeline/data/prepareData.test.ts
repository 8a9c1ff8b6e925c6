import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeConfig } from '../../../src/core/config/normalizeConfig.ts';
import { DataError } from '../../../src/core/errors/DataError.ts';
import type { DataProgressEvent } from '../../../src/core/events.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import type { Tokenizer } from '../../../src/model/tokenizer/types.ts';
import { type PreparedData, prepareData, resolveTokenizer } from '../../../src/pipeline/data/prepareData.ts';
import { readTokenCacheMeta } from '../../../src/streams/cache/tokenCacheReader.ts';
import { tmpCorpus } from '../../streams/sources/tmpCorpus.ts';

const SHIPPED = join(import.meta.dirname, '../../../data/ru_poetry.parquet');

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function tmp(files: Record<string, string | ArrayBuffer> = {}): string {
  const t = tmpCorpus(files);
  cleanups.push(t.remove);
  return t.dir;
}

/** The tokenizer with its encode calls counted (the real encoder does the work). */
function counting(tok: Tokenizer): { tok: Tokenizer; calls: () => number } {
  let calls = 0;
  const wrapped = new Proxy(tok, {
    get(target, key) {
      if (key === 'encode') return (text: string) => (calls++, target.encode(text));
      const v = Reflect.get(target, key, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  return { tok: wrapped, calls: () => calls };
}

const plain = (d: PreparedData) => ({
  train: Array.from({ length: d.train.length }, (_, i) => d.train.at(i)).map((e) => [...e.ids, ...e.mask]),
  val: Array.from({ length: d.val.length }, (_, i) => d.val.at(i)).map((e) => [...e.ids, ...e.mask]),
  trainTokens: d.trainTokens,
  valTokens: d.valTokens,
  docs: d.docs,
});

describe('prepareData with the token cache', () => {
  it('tokenizes on the first run and reads the cache on the second, without encoding, to identical examples', async () => {
    const cacheDir = tmp();
    const cfg = normalizeConfig({ data: SHIPPED, max_docs: 60, tokenizer: 'char', context: 32, cache_dir: cacheDir, val_fraction: 0.1 });
    const { tokenizer } = await resolveTokenizer(cfg);
    const first = counting(tokenizer);
    const cold = await prepareData(cfg, first.tok, { shardTokens: 4096 });
    expect(first.calls()).toBe(60);
    expect(cold.cache).toMatchObject({ hit: false, warnings: [] });
    expect(cold.cache.path).toMatch(new RegExp(`^${cacheDir}/[0-9a-f]{32}$`));
    const index = JSON.parse(readFileSync(join(cold.cache.path!, 'index.json'), 'utf8'));
    expect(index).toMatchObject({ docs: 60, dtype: 'uint16', tokenizerHash: tokenizer.hash, eos: true });
    expect(index.fingerprint).toMatchObject({ files: [{ path: SHIPPED }], maxDocs: 60, normalize: 'nfc', textColumn: 'text' });
    expect(index.shards.length).toBeGreaterThan(1);

    const second = counting(tokenizer);
    const warm = await prepareData(cfg, second.tok);
    expect(second.calls()).toBe(0);
    expect(warm.cache).toEqual({ hit: true, path: cold.cache.path, warnings: [] });
    expect(plain(warm)).toEqual(plain(cold));
    expect(warm.train.length).toBeGreaterThan(10);
    expect(warm.docs.train + warm.docs.val).toBe(60);
  });

  it('gives the same examples as a run without the cache, for truncate layout and a BPE tokenizer', async () => {
    const dir = tmp({ 'poems.jsonl': ['Мороз и солнце; день чудесный!', 'Ещё ты дремлешь, друг прелестный', 'Пора, красавица, проснись', 'Открой сомкнуты негой взоры'].map((text) => JSON.stringify({ text })).join('\n') + '\n' });
    const tokenizer = trainBpe(['Мороз и солнце; день чудесный!', 'Пора, красавица, проснись'], { vocabSize: 300, specialTokens: ['[PAD]', '[EOS]', '[UNK]'] });
    const base = { data: join(dir, 'poems.jsonl'), tokenizer: 'unused.json', layout: 'truncate', context: 16, val_fraction: 0.25, cache_dir: join(dir, 'cache') };
    const off = await prepareData(normalizeConfig({ ...base, token_cache: false }), tokenizer);
    expect(off.cache).toEqual({ hit: false, path: null, warnings: [] });
    expect(existsSync(join(dir, 'cache'))).toBe(false);
    const cold = await prepareData(normalizeConfig(base), tokenizer);
    const warm = await prepareData(normalizeConfig(base), tokenizer);
    expect([cold.cache.hit, warm.cache.hit]).toEqual([false, true]);
    expect(plain(cold)).toEqual(plain(off));
    expect(plain(warm)).toEqual(plain(off));
  });

  it('misses when the corpus file, max_docs, normalisation or tokenizer changes', async () => {
    const dir = tmp({ 'a.jsonl': '{"text":"abc abc"}\n{"text":"abd ёж"}\n{"text":"xyz"}\n' });
    const cfg = (extra: Record<string, unknown> = {}) => normalizeConfig({ data: join(dir, 'a.jsonl'), tokenizer: 'char', context: 4, cache_dir: join(dir, 'cache'), ...extra });
    const { tokenizer } = await resolveTokenizer(cfg({ data: join(dir, 'a.jsonl') }));
    const paths = new Set<string>();
    const run = async (c = cfg(), tok = tokenizer) => {
      const r = await prepareData(c, tok);
      paths.add(r.cache.path!);
      return r.cache.hit;
    };
    expect(await run()).toBe(false);
    expect(await run()).toBe(true);
    expect(await run(cfg({ max_docs: 2 }))).toBe(false);
    expect(await run(cfg({ normalize: 'nfc,yo' }))).toBe(false);
    const { tokenizer: other } = await resolveTokenizer(cfg({ normalize: 'nfc,yo' }));
    expect(await run(cfg(), other)).toBe(false);
    writeFileSync(join(dir, 'a.jsonl'), '{"text":"abc abc"}\n{"text":"abd ёж"}\n{"text":"xyz!"}\n');
    expect(await run()).toBe(false);
    expect(await run()).toBe(true);
    expect(paths.size).toBe(5);
  });

  it('rebuilds a corrupt cache with a warning and the same examples', async () => {
    const cacheDir = tmp();
    const cfg = normalizeConfig({ data: SHIPPED, max_docs: 30, tokenizer: 'char', context: 32, cache_dir: cacheDir });
    const { tokenizer } = await resolveTokenizer(cfg);
    const cold = await prepareData(cfg, tokenizer, { shardTokens: 2048 });
    const path = cold.cache.path!;
    const coldExamples = plain(cold); // read now: examples are read from the shards on demand
    cold.close();
    const shard = join(path, 'shard-00001.bin');
    const bytes = readFileSync(shard);
    bytes[10] ^= 1;
    writeFileSync(shard, bytes);

    const again = counting(tokenizer);
    const rebuilt = await prepareData(cfg, again.tok);
    expect(again.calls()).toBe(30);
    expect(rebuilt.cache.hit).toBe(false);
    expect(rebuilt.cache.warnings).toEqual([expect.stringMatching(/shard-00001\.bin: sha256 .* differs .*\(corrupt\); rebuilding it$/)]);
    expect(plain(rebuilt)).toEqual(coldExamples);

    writeFileSync(join(path, 'index.json'), '{"form');
    const fromBadIndex = await prepareData(cfg, tokenizer);
    expect(fromBadIndex.cache.warnings).toEqual([expect.stringMatching(/index\.json: .*; rebuilding it$/)]);
    const warm = await prepareData(cfg, tokenizer);
    expect(warm.cache).toMatchObject({ hit: true, warnings: [] });
    expect(plain(warm)).toEqual(coldExamples);
    // the token cache and the char vocabulary, no temp directories left
    // (compared as a set: the cache's hex name sorts either side of "char-")
    const entries = readdirSync(cacheDir);
    expect(entries).toHaveLength(2);
    expect(entries).toContain(path.slice(cacheDir.length + 1));
    expect(entries.filter((e) => /^char-[0-9a-f]{32}\.json$/.test(e))).toHaveLength(1);
  });

  it('trains on without a cache it cannot write, with a warning', async () => {
    const dir = tmp({ 'a.txt': 'one text, split by tokens into train and validation', blocker: 'a file where the cache directory should be' });
    const cfg = normalizeConfig({ data: join(dir, 'a.txt'), tokenizer: 'char', context: 4, val_fraction: 0.2, cache_dir: join(dir, 'blocker', 'tokens') });
    const { tokenizer } = await resolveTokenizer(cfg);
    const got = await prepareData(cfg, tokenizer);
    expect(got.cache.hit).toBe(false);
    expect(got.cache.warnings).toEqual([expect.stringMatching(/cannot write .*; continuing without it/)]);
    expect(got.docs).toEqual({ train: 1, val: 1 });
    expect(got.train.length).toBeGreaterThan(5);
  });

  it('keeps the single-document split when read from the cache', async () => {
    const dir = tmp({ 'a.txt': 'To be, or not to be, that is the question.\nWhether tis nobler in the mind to suffer\n' });
    const cfg = normalizeConfig({ data: join(dir, 'a.txt'), tokenizer: 'char', context: 8, val_fraction: 0.25, cache_dir: join(dir, 'cache') });
    const { tokenizer } = await resolveTokenizer(cfg);
    const cold = await prepareData(cfg, tokenizer);
    const warm = await prepareData(cfg, tokenizer);
    expect(warm.cache.hit).toBe(true);
    expect(plain(warm)).toEqual(plain(cold));
  });

  it('fails on a bad corpus row naming file and line, leaving no partial cache', async () => {
    const dir = tmp({ 'bad.jsonl': '{"text":"ok"}\n{"txt":"no"}\n' });
    const cfg = normalizeConfig({ data: join(dir, 'bad.jsonl'), tokenizer: 'char', cache_dir: join(dir, 'cache') });
    const { tokenizer } = await resolveTokenizer(normalizeConfig({ data: join(dir, 'bad.jsonl'), max_docs: 1 }));
    const err = await prepareData(cfg, tokenizer).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/bad\.jsonl:2: no key "text"/);
    expect(existsSync(join(dir, 'cache')) ? readdirSync(join(dir, 'cache')) : []).toEqual([]);
  });

  it('keeps the char vocabulary by fingerprint, so a warm start reads no corpus (shown by an edit that hides its mtime)', async () => {
    const dir = tmp({ 'a.jsonl': '{"text":"abc"}\n{"text":"abd"}\n' });
    const file = join(dir, 'a.jsonl');
    const then = new Date(2024, 0, 1); // whole seconds, so utimes can restore it exactly
    utimesSync(file, then, then);
    const cfg = normalizeConfig({ data: file, tokenizer: 'char', context: 2, val_fraction: 0, cache_dir: join(dir, 'cache') });
    const first = await resolveTokenizer(cfg);
    expect(first.cachedVocab).toBeUndefined();
    const cold = await prepareData(cfg, first.tokenizer);

    // same size, mtime put back: the fingerprint cannot see it, so only a corpus read could
    writeFileSync(file, '{"text":"xyz"}\n{"text":"xyw"}\n');
    utimesSync(file, then, then);
    const second = await resolveTokenizer(cfg);
    expect(second.cachedVocab).toBe(true);
    expect(second.tokenizer.hash).toBe(first.tokenizer.hash);
    expect(second.tokenizer.encode('xyz')).toEqual([2, 2, 2]); // [UNK]: the vocabulary is the cached one
    const warm = await prepareData(cfg, second.tokenizer);
    expect(warm.cache.hit).toBe(true);
    expect(plain(warm)).toEqual(plain(cold));

    const off = await resolveTokenizer(normalizeConfig({ data: file, tokenizer: 'char', token_cache: false }));
    expect(off.cachedVocab).toBeUndefined();
    expect(off.tokenizer.encode('xyz')).not.toContain(2);
  });

  it('splits a Hugging Face layout by file: validation-* rows are the validation set, cold and warm alike', async () => {
    const pq = (texts: string[]) => parquetWriteBuffer({ columnData: [{ name: 'text', data: texts, type: 'STRING' }] });
    const dir = tmp({
      'ds/data/train-00000-of-00001.parquet': pq(['abab', 'baba', 'abba', 'bbaa', 'aabb']),
      'ds/data/validation-00000-of-00001.parquet': pq(['ab', 'ba ab']),
    });
    const cfg = normalizeConfig({ data: join(dir, 'ds'), tokenizer: 'char', layout: 'truncate', context: 8, val_fraction: 0.5, cache_dir: join(dir, 'cache') });
    const { tokenizer } = await resolveTokenizer(cfg);
    const cold = await prepareData(cfg, tokenizer);
    const warm = await prepareData(cfg, tokenizer);
    expect(warm.cache.hit).toBe(true);
    for (const d of [cold, warm]) {
      expect(d.docs).toEqual({ train: 5, val: 2 });
      expect(tokenizer.decode([...d.val.at(1).ids.subarray(0, 5)])).toBe('ba ab');
      expect(d.valTokens).toBe(2 + 5); // 'ab' + EOS and 'ba ab' + EOS: length − 1 targets each
    }
  });

  it('tokenizes in worker threads when the corpus spans several units, to the examples of one thread, reporting progress', async () => {
    const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify({ text: `poem ${i}: ${'ab cd '.repeat(i % 17)}` })).join('\n') + '\n';
    const dir = tmp({ 'p.jsonl': rows });
    const base = { data: join(dir, 'p.jsonl'), tokenizer: 'char', context: 16, val_fraction: 0.1 };
    const { tokenizer } = await resolveTokenizer(normalizeConfig(base));
    const one = await prepareData(normalizeConfig({ ...base, token_cache: false }), tokenizer);
    const events: DataProgressEvent[] = [];
    const par = await prepareData(normalizeConfig({ ...base, cache_dir: join(dir, 'cache'), tokenize_workers: 2 }), tokenizer, { unitBytes: 2000, onProgress: (e) => events.push(e) });
    const index = JSON.parse(readFileSync(join(par.cache.path!, 'index.json'), 'utf8'));
    expect(index.shards.length).toBe(Math.ceil(Buffer.byteLength(rows) / 2000));
    expect(plain(par)).toEqual(plain(one));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'data/progress', phase: 'tokenize', done: true, rows: 400, bytes: Buffer.byteLength(rows), totalBytes: Buffer.byteLength(rows), tokens: index.tokens, workers: 2, etaS: 0 });
    one.close();
    par.close();
  }, 30_000);

  it('keeps author, title and language beside the tokens (meta side files), none for a corpus without them', async () => {
    const dir = tmp({
      'm.jsonl': ['{"text":"ab","author":"A","title":"T","language":"ru"}', '{"text":"ba"}', '{"text":"abba","author":"B","title":null}'].join('\n') + '\n',
      'plain.jsonl': '{"text":"ab"}\n{"text":"ba"}\n',
    });
    const cfg = (data: string) => normalizeConfig({ data: join(dir, data), tokenizer: 'char', context: 4, cache_dir: join(dir, 'cache'), val_fraction: 0 });
    const { tokenizer } = await resolveTokenizer(cfg('m.jsonl'));
    const got = await prepareData(cfg('m.jsonl'), tokenizer, { shardTokens: 4 });
    const index = JSON.parse(readFileSync(join(got.cache.path!, 'index.json'), 'utf8'));
    const metas = [];
    for await (const m of readTokenCacheMeta(got.cache.path!, index)) metas.push(m);
    expect(metas).toEqual([
      { doc: 0, corpusIndex: 0, file: 0, author: 'A', title: 'T', language: 'ru' },
      { doc: 1, corpusIndex: 1, file: 0 },
      { doc: 2, corpusIndex: 2, file: 0, author: 'B', title: null },
    ]);
    const bare = await prepareData(cfg('plain.jsonl'), tokenizer);
    expect(readdirSync(bare.cache.path!).filter((f) => f.startsWith('meta-'))).toEqual([]);
  });
});
