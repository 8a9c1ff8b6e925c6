import { existsSync, readdirSync, readFileSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, take, toArray } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenCacheError } from '../../../src/core/errors/TokenCacheError.ts';
import type { CorpusFingerprint } from '../../../src/model/formats/tokenCacheFormat.ts';
import type { TokenizedDoc } from '../../../src/core/corpusDoc.ts';
import { corpusFingerprint } from '../../../src/streams/cache/tokenCacheFingerprint.ts';
import { probeTokenCache, readTokenCache, readTokenCache$ } from '../../../src/streams/cache/tokenCacheReader.ts';
import { readCachedVocab, writeCachedVocab } from '../../../src/streams/cache/tokenCacheVocab.ts';
import { createTokenCacheWriter } from '../../../src/streams/cache/tokenCacheWriter.ts';
import { tmpCorpus } from '../sources/tmpCorpus.ts';

const fp: CorpusFingerprint = { files: [{ path: '/corpus.jsonl', size: 123, mtimeMs: 1000 }], textColumn: 'text', normalize: 'nfc', maxDocs: 0 };
const meta = { fingerprint: fp, tokenizerHash: 'tok-hash', vocabSize: 300, eos: true };
// 7 documents of 1..7 tokens, ids derived from (doc, position)
const DOCS: TokenizedDoc[] = Array.from({ length: 7 }, (_, d) => ({ index: d, ids: Int32Array.from({ length: d + 1 }, (_, i) => (d * 37 + i * 11) % 300) }));

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function tmp(files: Record<string, string> = {}) {
  const t = tmpCorpus(files);
  cleanups.push(t.remove);
  return t.dir;
}

async function writeCache(dir: string, docs = DOCS, shardTokens = 6) {
  const w = await createTokenCacheWriter(dir, meta, { shardTokens });
  for (const d of docs) await w.write(d);
  return w.finish();
}

async function readAll(dir: string): Promise<TokenizedDoc[]> {
  const probe = await probeTokenCache(dir, meta);
  if (probe.status !== 'hit') throw new Error(`expected a hit, got ${JSON.stringify(probe)}`);
  const out: TokenizedDoc[] = [];
  for await (const d of readTokenCache(dir, probe.index)) out.push(d);
  return out;
}

const plain = (docs: TokenizedDoc[]) => docs.map((d) => ({ index: d.index, ids: [...d.ids] }));

describe('token cache writer and reader', () => {
  it('round-trips documents across several shards, with sizes and indices in the index', async () => {
    const dir = join(tmp(), 'cache');
    const index = await writeCache(dir);
    // shards close at >= 6 tokens: [1,2,3]=6, [4,5]=9, [6]=6, [7]=7
    expect(index.shards.map((s) => s.lengths)).toEqual([[1, 2, 3], [4, 5], [6], [7]]);
    expect(index.shards.map((s) => s.indices)).toEqual([[[0, 3]], [[3, 2]], [[5, 1]], [[6, 1]]]);
    expect(index).toMatchObject({ docs: 7, tokens: 28, dtype: 'uint16', tokenizerHash: 'tok-hash', eos: true });
    expect(readdirSync(dir).sort()).toEqual(['index.json', 'shard-00000.bin', 'shard-00001.bin', 'shard-00002.bin', 'shard-00003.bin']);
    expect(readFileSync(join(dir, 'shard-00001.bin')).byteLength).toBe(9 * 2);
    expect(plain(await readAll(dir))).toEqual(plain(DOCS));
  });

  it('writes uint32 ids for vocabularies above 65536', async () => {
    const dir = join(tmp(), 'wide');
    const w = await createTokenCacheWriter(dir, { ...meta, vocabSize: 100_000 });
    await w.write({ index: 0, ids: Int32Array.from([99_999, 1]) });
    const index = await w.finish();
    expect(index.dtype).toBe('uint32');
    expect(readFileSync(join(dir, 'shard-00000.bin')).byteLength).toBe(8);
    const probe = await probeTokenCache(dir, meta);
    expect(probe.status).toBe('hit');
    if (probe.status === 'hit') for await (const d of readTokenCache(dir, probe.index)) expect([...d.ids]).toEqual([99_999, 1]);
  });

  it('is invisible until finish (temp directory, then rename) and leaves nothing after abort', async () => {
    const root = tmp();
    const dir = join(root, 'cache');
    const w = await createTokenCacheWriter(dir, meta, { shardTokens: 1 });
    await w.write(DOCS[3]);
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(root)).toEqual([expect.stringMatching(/^cache\.tmp-/)]);
    expect(await probeTokenCache(dir, meta)).toEqual({ status: 'missing' });
    await w.abort();
    expect(readdirSync(root)).toEqual([]);
  });

  it('replaces a corrupt cache directory on finish', async () => {
    const dir = join(tmp(), 'cache');
    await writeCache(dir);
    writeFileSync(join(dir, 'index.json'), '{"trunc');
    await writeCache(dir, DOCS.slice(0, 2));
    expect(plain(await readAll(dir))).toEqual(plain(DOCS.slice(0, 2)));
  });

  it('reports a truncated shard when probing, before reading anything', async () => {
    const dir = join(tmp(), 'cache');
    await writeCache(dir);
    truncateSync(join(dir, 'shard-00002.bin'), 5);
    expect(await probeTokenCache(dir, meta)).toEqual({ status: 'invalid', reason: 'shard-00002.bin has 5 bytes, the index says 12 (truncated or overwritten)' });
  });

  it('detects a flipped byte by checksum while reading, before yielding that shard', async () => {
    const dir = join(tmp(), 'cache');
    await writeCache(dir);
    const path = join(dir, 'shard-00001.bin');
    const bytes = readFileSync(path);
    bytes[3] ^= 0x40;
    writeFileSync(path, bytes);
    const probe = await probeTokenCache(dir, meta);
    expect(probe.status).toBe('hit'); // same size: only the checksum can tell
    if (probe.status !== 'hit') return;
    const seen: number[] = [];
    const read = async () => {
      for await (const d of readTokenCache(dir, probe.index)) seen.push(d.index);
    };
    await expect(read()).rejects.toThrow(TokenCacheError);
    await expect(read()).rejects.toThrow(/shard-00001\.bin: sha256 .* differs .*corrupt/);
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]); // shard 0 only, never a document of shard 1
    expect(seen.every((i) => i < 3)).toBe(true);
  });

  it('rejects a missing or malformed index, a missing shard, and another corpus or tokenizer', async () => {
    const root = tmp();
    expect(await probeTokenCache(join(root, 'none'), meta)).toEqual({ status: 'missing' });
    const dir = join(root, 'cache');
    await writeCache(dir);
    expect(await probeTokenCache(dir, { ...meta, tokenizerHash: 'other' })).toEqual({ status: 'invalid', reason: 'built with another tokenizer' });
    expect(await probeTokenCache(dir, { ...meta, fingerprint: { ...fp, normalize: 'none' } })).toEqual({ status: 'invalid', reason: 'built from another corpus or reading options' });
    rmSync(join(dir, 'shard-00003.bin'));
    expect(await probeTokenCache(dir, meta)).toEqual({ status: 'invalid', reason: 'shard-00003.bin is missing' });
    writeFileSync(join(dir, 'index.json'), '{"format": "versiflow-token-cache", "version": 1');
    expect(await probeTokenCache(dir, meta)).toMatchObject({ status: 'invalid', reason: expect.stringMatching(/^index\.json: /) });
    rmSync(join(dir, 'index.json'));
    expect(await probeTokenCache(dir, meta)).toEqual({ status: 'invalid', reason: 'no readable index.json' });
  });

  it('readTokenCache$ stops reading shards when unsubscribed early', async () => {
    const dir = join(tmp(), 'cache');
    const index = await writeCache(dir, DOCS, 1); // one document per shard
    const got = await lastValueFrom(readTokenCache$(dir, index).pipe(take(2), toArray()));
    expect(got.map((d) => d.index)).toEqual([0, 1]);
    expect(await lastValueFrom(readTokenCache$(dir, index).pipe(toArray()))).toHaveLength(7);
  });
});

describe('corpusFingerprint', () => {
  it('lists the expanded files with absolute paths, sizes and mtimes, plus the reading options', async () => {
    const dir = tmp({ 'b.jsonl': '{"text":"b"}\n', 'a.txt': 'hello', 'skip.csv': 'x' });
    const got = await corpusFingerprint(dir, { textColumn: 'body', normalize: 'nfc,yo', maxDocs: 5 });
    expect(got.files.map((f) => [f.path, f.size])).toEqual([
      [join(dir, 'a.txt'), 5],
      [join(dir, 'b.jsonl'), 13],
    ]);
    expect(got).toMatchObject({ textColumn: 'body', normalize: 'nfc,yo', maxDocs: 5 });
  });

  it('changes when a file is touched or resized', async () => {
    const dir = tmp({ 'a.txt': 'hello' });
    const opts = { textColumn: 'text', normalize: 'nfc', maxDocs: 0, cwd: dir };
    const before = await corpusFingerprint('a.txt', opts);
    utimesSync(join(dir, 'a.txt'), new Date(2020, 0, 1), new Date(2020, 0, 1));
    const touched = await corpusFingerprint('a.txt', opts);
    expect(touched.files[0].mtimeMs).not.toBe(before.files[0].mtimeMs);
    writeFileSync(join(dir, 'a.txt'), 'hello!');
    expect((await corpusFingerprint('a.txt', opts)).files[0].size).toBe(6);
  });
});

describe('cached char vocabulary', () => {
  it('round-trips for the same fingerprint and is null for another one or a damaged file', async () => {
    const dir = tmp();
    const path = join(dir, 'sub', 'char-x.json');
    const doc = { type: 'char', specials: ['[PAD]', '[EOS]', '[UNK]'], chars: ['a', 'b'] };
    expect(await readCachedVocab(path, fp)).toBeNull();
    await writeCachedVocab(path, fp, doc);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['char-x.json']);
    expect(await readCachedVocab(path, fp)).toEqual(doc);
    expect(await readCachedVocab(path, { ...fp, maxDocs: 3 })).toBeNull();
    writeFileSync(path, '{"fingerprint":');
    expect(await readCachedVocab(path, fp)).toBeNull();
  });
});
