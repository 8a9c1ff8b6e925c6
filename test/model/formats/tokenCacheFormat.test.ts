import { describe, expect, it } from 'vitest';
import {
  decodeShard,
  encodeShard,
  fromRuns,
  parseTokenCacheIndex,
  TOKEN_CACHE_FORMAT,
  TOKEN_CACHE_VERSION,
  tokenCacheKey,
  tokenDtype,
  toRuns,
} from '../../../src/model/formats/tokenCacheFormat.ts';

const fp = { files: [{ path: '/a.jsonl', size: 10, mtimeMs: 1 }], textColumn: 'text', normalize: 'nfc', maxDocs: 0 };

describe('tokenCacheFormat', () => {
  it('picks uint16 up to 65536 ids and uint32 beyond', () => {
    expect(tokenDtype(24000)).toBe('uint16');
    expect(tokenDtype(65536)).toBe('uint16');
    expect(tokenDtype(65537)).toBe('uint32');
  });

  it('round-trips documents through shard bytes, little-endian', () => {
    const docs = [Int32Array.from([1, 2, 300]), Int32Array.from([65535]), Int32Array.from([])];
    const bytes = encodeShard(docs, 'uint16');
    expect([...bytes]).toEqual([1, 0, 2, 0, 44, 1, 255, 255]);
    expect(decodeShard(bytes, 'uint16', [3, 1, 0]).map((d) => [...d])).toEqual([[1, 2, 300], [65535], []]);
    const wide = encodeShard([Int32Array.from([70000, 5])], 'uint32');
    expect(wide.byteLength).toBe(8);
    expect(decodeShard(wide, 'uint32', [2]).map((d) => [...d])).toEqual([[70000, 5]]);
  });

  it('decodes from an unaligned buffer view', () => {
    const raw = new Uint8Array(9);
    raw.set(encodeShard([Int32Array.from([7, 8])], 'uint16'), 1);
    expect([...decodeShard(raw.subarray(1, 5), 'uint16', [2])[0]]).toEqual([7, 8]);
  });

  it('refuses ids the dtype cannot hold and lengths that do not match the bytes', () => {
    expect(() => encodeShard([Int32Array.from([65536])], 'uint16')).toThrow(/65536 does not fit uint16/);
    expect(() => decodeShard(encodeShard([Int32Array.from([1, 2])], 'uint16'), 'uint16', [1])).toThrow(/holds 2 tokens/);
  });

  it('stores corpus indices as runs', () => {
    expect(toRuns([0, 1, 2, 5, 6, 9])).toEqual([[0, 3], [5, 2], [9, 1]]);
    expect(fromRuns([[0, 3], [5, 2], [9, 1]])).toEqual([0, 1, 2, 5, 6, 9]);
    expect(toRuns([])).toEqual([]);
  });

  it('keys caches by fingerprint and tokenizer hash, ignoring key order', () => {
    const k = tokenCacheKey(fp, 'abc');
    expect(k).toMatch(/^[0-9a-f]{32}$/);
    expect(tokenCacheKey({ maxDocs: 0, normalize: 'nfc', textColumn: 'text', files: fp.files }, 'abc')).toBe(k);
    expect(tokenCacheKey(fp, 'abd')).not.toBe(k);
    expect(tokenCacheKey({ ...fp, maxDocs: 10 }, 'abc')).not.toBe(k);
    expect(tokenCacheKey({ ...fp, files: [{ ...fp.files[0], mtimeMs: 2 }] }, 'abc')).not.toBe(k);
  });

  it('validates an index and says what is inconsistent', () => {
    const shard = { file: 'shard-00000.bin', docs: 2, tokens: 5, bytes: 10, sha256: 'x', lengths: [2, 3], indices: [[0, 2]], files: [[0, 1], [1, 1]] };
    const good = { format: TOKEN_CACHE_FORMAT, version: TOKEN_CACHE_VERSION, tokenizerHash: 'h', vocabSize: 300, dtype: 'uint16', endianness: 'LE', eos: true, fingerprint: fp, docs: 2, tokens: 5, shards: [shard] };
    expect(parseTokenCacheIndex(good).tokens).toBe(5);
    expect(() => parseTokenCacheIndex({ ...good, version: 99 })).toThrow(/version 99/);
    expect(() => parseTokenCacheIndex({ ...good, shards: [{ ...shard, bytes: 8 }] })).toThrow(/8 bytes for 5 uint16 tokens/);
    expect(() => parseTokenCacheIndex({ ...good, shards: [{ ...shard, lengths: [2, 2] }] })).toThrow(/do not add up/);
    expect(() => parseTokenCacheIndex({ ...good, docs: 3 })).toThrow(/index says 3/);
    expect(() => parseTokenCacheIndex({ ...good, shards: [{ ...shard, file: '../x' }] })).toThrow(/bad file name/);
    expect(() => parseTokenCacheIndex({ ...good, shards: [{ ...shard, files: [[0, 1]] }] })).toThrow(/files do not cover 2 documents/); // a version-1 shard has none
    expect(() => parseTokenCacheIndex(null)).toThrow(/not a JSON object/);
  });
});
