import type { DocMeta } from '../../core/corpusDoc.ts';
import { canonicalHash } from '../tokenizer/hash.ts';

/**
 * The on-disk format of a token cache, as pure data and pure functions (the file I/O lives in
 * src/streams/tokenCache*.ts). A cache is one directory:
 *
 *   index.json        TokenCacheIndex: what was tokenized (fingerprint, tokenizer hash) and the shards
 *   shard-00000.bin   token ids of whole documents, back to back, uint16 or uint32 little-endian
 *   shard-00001.bin   ...
 *
 * Version 2 adds each shard's `files` (the corpus file of each document, as runs) and its optional
 * `meta-00000.jsonl` (author, title, language of each document).
 *
 * Each document is stored as the training pipeline sees it: the tokenizer's ids with EOS appended.
 * Document k of a shard starts at token `sum(lengths[0..k))` of that shard.
 */

export const TOKEN_CACHE_FORMAT = 'versiflow-token-cache';
/** Bumped whenever the layout or the meaning of the stored ids changes, so old caches are rebuilt. */
export const TOKEN_CACHE_VERSION = 2;

export type TokenDtype = 'uint16' | 'uint32';

export const BYTES_PER_TOKEN: Readonly<Record<TokenDtype, number>> = { uint16: 2, uint32: 4 };

/** uint16 when every id fits (vocabulary ≤ 65536), halving the cache; uint32 otherwise. */
export function tokenDtype(vocabSize: number): TokenDtype {
  return vocabSize <= 65536 ? 'uint16' : 'uint32';
}

/** Shards are written in the host byte order, which must be little-endian (x86, ARM). */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * What a cache was built from. Two runs share a cache only when every field is equal (and the
 * tokenizer hash is): a file that is edited changes its size or mtime, so the cache goes stale.
 */
export interface CorpusFingerprint {
  /** Corpus files in read order: absolute path, size in bytes, modification time in ms. */
  readonly files: readonly { readonly path: string; readonly size: number; readonly mtimeMs: number }[];
  readonly textColumn: string;
  /** The `normalize` setting as configured (e.g. "nfc" or "nfc,yo"). */
  readonly normalize: string;
  /** 0 = all documents. */
  readonly maxDocs: number;
}

export interface TokenCacheShard {
  /** File name inside the cache directory. */
  readonly file: string;
  readonly docs: number;
  readonly tokens: number;
  /** tokens · bytes per token: a shorter file is truncated. */
  readonly bytes: number;
  /** sha256 hex of the file's bytes. */
  readonly sha256: string;
  /** Token count of each document (EOS included); offsets within the shard are their running sum. */
  readonly lengths: readonly number[];
  /** Corpus indices of the documents as runs [first, count] (usually one run per shard). */
  readonly indices: readonly (readonly [number, number])[];
  /**
   * The corpus file of each document, as runs [file, count] with `file` a position in the
   * fingerprint's file list (so per-file splits and per-source metrics need no corpus read). Since v2.
   */
  readonly files: readonly (readonly [number, number])[];
  /**
   * `meta-NNNNN.jsonl` beside the shard when any of its documents has an author, title or language:
   * one JSON object per document, in shard order (`{}` for one without). Absent otherwise.
   */
  readonly meta?: string;
}

export interface TokenCacheIndex {
  readonly format: typeof TOKEN_CACHE_FORMAT;
  readonly version: number;
  readonly tokenizerHash: string;
  readonly vocabSize: number;
  readonly dtype: TokenDtype;
  readonly endianness: 'LE';
  /** Whether each document ends with the tokenizer's EOS id (it does whenever the tokenizer has one). */
  readonly eos: boolean;
  readonly fingerprint: CorpusFingerprint;
  readonly docs: number;
  readonly tokens: number;
  readonly shards: readonly TokenCacheShard[];
}

/** Directory name of the cache for a fingerprint and tokenizer: 32 hex digits of their sha256. */
export function tokenCacheKey(fingerprint: CorpusFingerprint, tokenizerHash: string): string {
  return canonicalHash({ format: TOKEN_CACHE_FORMAT, version: TOKEN_CACHE_VERSION, fingerprint, tokenizerHash }).slice(0, 32);
}

/** Whether two fingerprints describe the same corpus reading (canonical comparison, key order ignored). */
export function sameFingerprint(a: CorpusFingerprint, b: CorpusFingerprint): boolean {
  return canonicalHash(a) === canonicalHash(b);
}

/** [0,1,2,5,6] → [[0,3],[5,2]]. */
export function toRuns(indices: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const i of indices) {
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  }
  return runs;
}

/** Inverse of {@link toRuns}. */
export function fromRuns(runs: readonly (readonly [number, number])[]): number[] {
  const out: number[] = [];
  for (const [first, count] of runs) for (let k = 0; k < count; k++) out.push(first + k);
  return out;
}

/**
 * Concatenates documents into one shard's bytes. Throws a RangeError for an id the dtype cannot hold
 * (a tokenizer returning ids beyond its vocabulary), which would otherwise wrap silently.
 */
export function encodeShard(docs: readonly Int32Array[], dtype: TokenDtype): Uint8Array {
  const total = docs.reduce((n, d) => n + d.length, 0);
  const out = dtype === 'uint16' ? new Uint16Array(total) : new Uint32Array(total);
  const max = dtype === 'uint16' ? 0xffff : 0xffffffff;
  let at = 0;
  for (const d of docs) {
    for (let i = 0; i < d.length; i++) if (d[i] < 0 || d[i] > max) throw new RangeError(`token id ${d[i]} does not fit ${dtype}`);
    out.set(d, at);
    at += d.length;
  }
  return new Uint8Array(out.buffer, 0, out.byteLength);
}

/** Splits a shard's bytes back into documents (fresh Int32Arrays, so the bytes can be dropped). */
export function decodeShard(bytes: Uint8Array, dtype: TokenDtype, lengths: readonly number[]): Int32Array[] {
  const width = BYTES_PER_TOKEN[dtype];
  // typed views need an aligned offset; Node's pooled Buffers may not be
  const aligned = bytes.byteOffset % width === 0 ? bytes : bytes.slice();
  const n = aligned.byteLength / width;
  const ids = dtype === 'uint16' ? new Uint16Array(aligned.buffer, aligned.byteOffset, n) : new Uint32Array(aligned.buffer, aligned.byteOffset, n);
  const docs: Int32Array[] = [];
  let at = 0;
  for (const len of lengths) {
    docs.push(Int32Array.from(ids.subarray(at, at + len)));
    at += len;
  }
  if (at !== n) throw new RangeError(`shard holds ${n} tokens but its documents add up to ${at}`);
  return docs;
}

/**
 * Checks that a parsed index.json is a complete index of this format and version, with shard figures
 * that agree with each other; returns it typed, or throws an Error saying what is wrong.
 */
export function parseTokenCacheIndex(doc: unknown): TokenCacheIndex {
  const o = doc as Partial<TokenCacheIndex> | null;
  if (!o || typeof o !== 'object') throw new Error('index is not a JSON object');
  if (o.format !== TOKEN_CACHE_FORMAT) throw new Error(`format is ${JSON.stringify(o.format)}, expected "${TOKEN_CACHE_FORMAT}"`);
  if (o.version !== TOKEN_CACHE_VERSION) throw new Error(`version ${o.version}, this build reads version ${TOKEN_CACHE_VERSION}`);
  if (o.dtype !== 'uint16' && o.dtype !== 'uint32') throw new Error(`dtype ${JSON.stringify(o.dtype)} is not uint16 or uint32`);
  if (o.endianness !== 'LE') throw new Error(`endianness ${JSON.stringify(o.endianness)} is not LE`);
  if (typeof o.tokenizerHash !== 'string' || !o.fingerprint || !Array.isArray(o.shards)) throw new Error('tokenizerHash, fingerprint or shards missing');
  let docs = 0;
  let tokens = 0;
  for (const s of o.shards as readonly TokenCacheShard[]) {
    const where = `shard ${s?.file}`;
    if (!s || typeof s.file !== 'string' || !/^shard-\d+\.bin$/.test(s.file)) throw new Error(`${where}: bad file name`);
    if (!Array.isArray(s.lengths) || s.lengths.length !== s.docs) throw new Error(`${where}: ${s.lengths?.length} lengths for ${s.docs} documents`);
    if (s.lengths.reduce((a: number, b: number) => a + b, 0) !== s.tokens) throw new Error(`${where}: lengths do not add up to ${s.tokens} tokens`);
    if (s.bytes !== s.tokens * BYTES_PER_TOKEN[o.dtype]) throw new Error(`${where}: ${s.bytes} bytes for ${s.tokens} ${o.dtype} tokens`);
    if (!Array.isArray(s.indices) || s.indices.reduce((a: number, r: readonly [number, number]) => a + r[1], 0) !== s.docs) throw new Error(`${where}: indices do not cover ${s.docs} documents`);
    if (!Array.isArray(s.files) || s.files.reduce((a: number, r: readonly [number, number]) => a + r[1], 0) !== s.docs) throw new Error(`${where}: files do not cover ${s.docs} documents`);
    if (typeof s.sha256 !== 'string') throw new Error(`${where}: no sha256`);
    if (s.meta !== undefined && (typeof s.meta !== 'string' || !/^meta-\d+\.jsonl$/.test(s.meta))) throw new Error(`${where}: bad meta file name`);
    docs += s.docs;
    tokens += s.tokens;
  }
  if (docs !== o.docs || tokens !== o.tokens) throw new Error(`shards hold ${docs} documents and ${tokens} tokens, the index says ${o.docs} and ${o.tokens}`);
  return o as TokenCacheIndex;
}

/**
 * File name of the cached character vocabulary of a corpus (`char-<32 hex>.json` in the cache
 * directory): a `tokenizer: char` run otherwise reads the whole corpus once just to list its characters.
 */
export function charVocabFile(fingerprint: CorpusFingerprint): string {
  return `char-${canonicalHash({ format: 'versiflow-char-vocab', version: TOKEN_CACHE_VERSION, fingerprint }).slice(0, 32)}.json`;
}

/** The metadata lines of a shard's documents, or null when none has any (no meta file then). */
export function encodeMeta(metas: readonly (DocMeta | undefined)[]): string | null {
  if (metas.every((m) => m === undefined)) return null;
  return metas.map((m) => `${JSON.stringify(m ?? {})}\n`).join('');
}
