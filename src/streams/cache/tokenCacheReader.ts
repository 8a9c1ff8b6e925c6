import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { TokenCacheError } from '../../core/errors/TokenCacheError.ts';
import {
  type CorpusFingerprint,
  decodeShard,
  fromRuns,
  HOST_LITTLE_ENDIAN,
  parseTokenCacheIndex,
  sameFingerprint,
  type TokenCacheIndex,
} from '../../model/formats/tokenCacheFormat.ts';
import type { DocMeta, TokenizedDoc } from '../../core/corpusDoc.ts';
import { fromAsyncIterable } from '../sources/fromAsyncIterable.ts';

/** What {@link probeTokenCache} found: a usable cache, none, or one that must be rebuilt (and why). */
export type TokenCacheProbe =
  | { readonly status: 'hit'; readonly index: TokenCacheIndex }
  | { readonly status: 'missing' }
  | { readonly status: 'invalid'; readonly reason: string };

/**
 * Looks at the cache in `dir` without reading its shards: index.json must parse, match this format,
 * the expected fingerprint and tokenizer hash, and every shard file must exist with the size the
 * index gives (a truncated write is caught here). Checksums are checked later, while reading.
 */
export async function probeTokenCache(dir: string, expected: { readonly fingerprint: CorpusFingerprint; readonly tokenizerHash: string }): Promise<TokenCacheProbe> {
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) return { status: 'missing' };
  let raw: string;
  try {
    raw = await readFile(join(dir, 'index.json'), 'utf8');
  } catch {
    return { status: 'invalid', reason: 'no readable index.json' };
  }
  let index: TokenCacheIndex;
  try {
    index = parseTokenCacheIndex(JSON.parse(raw));
  } catch (e) {
    return { status: 'invalid', reason: `index.json: ${(e as Error).message}` };
  }
  if (!HOST_LITTLE_ENDIAN) return { status: 'invalid', reason: 'this host is big-endian' };
  if (index.tokenizerHash !== expected.tokenizerHash) return { status: 'invalid', reason: 'built with another tokenizer' };
  if (!sameFingerprint(index.fingerprint, expected.fingerprint)) return { status: 'invalid', reason: 'built from another corpus or reading options' };
  for (const s of index.shards) {
    const st = await stat(join(dir, s.file)).catch(() => undefined);
    if (!st) return { status: 'invalid', reason: `${s.file} is missing` };
    if (st.size !== s.bytes) return { status: 'invalid', reason: `${s.file} has ${st.size} bytes, the index says ${s.bytes} (truncated or overwritten)` };
    if (s.meta && !(await stat(join(dir, s.meta)).catch(() => undefined))) return { status: 'invalid', reason: `${s.meta} is missing` };
  }
  return { status: 'hit', index };
}

/**
 * The cached documents in corpus order, one shard in memory at a time: each shard is read whole,
 * its sha256 checked against the index before any of its documents is yielded, then decoded to
 * Int32Array documents (EOS included, as tokenize() gives them).
 *
 * @throws TokenCacheError for a shard that is missing, has another size or fails its checksum.
 */
export async function* readTokenCache(dir: string, index: TokenCacheIndex): AsyncGenerator<TokenizedDoc> {
  for (const s of index.shards) {
    const path = join(dir, s.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new TokenCacheError(`${path}: cannot read (${(e as Error).message}); delete ${dir} or let the run rebuild it`);
    }
    if (bytes.byteLength !== s.bytes) throw new TokenCacheError(`${path}: ${bytes.byteLength} bytes, the index says ${s.bytes}; delete ${dir} or let the run rebuild it`);
    const sum = createHash('sha256').update(bytes).digest('hex');
    if (sum !== s.sha256) throw new TokenCacheError(`${path}: sha256 ${sum.slice(0, 12)}… differs from the index's ${s.sha256.slice(0, 12)}… (corrupt); delete ${dir} or let the run rebuild it`);
    const docs = decodeShard(bytes, index.dtype, s.lengths);
    const indices = fromRuns(s.indices);
    for (let k = 0; k < docs.length; k++) yield { index: indices[k], ids: docs[k] };
  }
}

/** {@link readTokenCache} as a cold Observable that pulls one document at a time. */
export function readTokenCache$(dir: string, index: TokenCacheIndex): Observable<TokenizedDoc> {
  return fromAsyncIterable(() => readTokenCache(dir, index));
}

/** A document's metadata as the cache keeps it, with where the document is. */
export interface CachedDocMeta extends DocMeta {
  /** Position in the cache (DocStore document number). */
  readonly doc: number;
  readonly corpusIndex: number;
  /** The corpus file, as a position in the fingerprint's file list. */
  readonly file: number;
}

/**
 * The author, title and language of every cached document, in cache order, read shard by shard from
 * the `meta-NNNNN.jsonl` side files (a shard without one yields documents without metadata). For
 * per-source metrics and the author evaluation: nothing of it is held by a training run.
 *
 * @throws TokenCacheError for a side file that is missing or whose lines do not match its shard.
 */
export async function* readTokenCacheMeta(dir: string, index: TokenCacheIndex): AsyncGenerator<CachedDocMeta> {
  let doc = 0;
  for (const s of index.shards) {
    const indices = fromRuns(s.indices);
    const files = s.files.flatMap(([file, count]) => Array<number>(count).fill(file));
    let lines: string[] = [];
    if (s.meta) {
      const path = join(dir, s.meta);
      try {
        lines = (await readFile(path, 'utf8')).split('\n').slice(0, -1);
      } catch (e) {
        throw new TokenCacheError(`${path}: cannot read (${(e as Error).message}); delete ${dir} or let the run rebuild it`);
      }
      if (lines.length !== s.docs) throw new TokenCacheError(`${path}: ${lines.length} lines for ${s.docs} documents; delete ${dir} or let the run rebuild it`);
    }
    for (let k = 0; k < s.docs; k++) {
      const meta = lines.length ? (JSON.parse(lines[k]) as DocMeta) : {};
      yield { doc: doc++, corpusIndex: indices[k], file: files[k], ...meta };
    }
  }
}
