import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { DocStore } from '../../core/corpusDoc.ts';
import { TokenCacheError } from '../../core/errors/TokenCacheError.ts';
import { BYTES_PER_TOKEN, type TokenCacheIndex } from '../../model/formats/tokenCacheFormat.ts';

/**
 * Caches up to this many bytes of shards are checksummed (sha256, streamed) when opened; larger ones
 * are only size-checked (probeTokenCache), so a warm start of a multi-GB corpus reads no token.
 */
export const VERIFY_BYTES = 256 * 2 ** 20;

export interface TokenCacheStoreOptions {
  /** Checksum every shard at open. @default total shard bytes ≤ VERIFY_BYTES */
  readonly verify?: boolean;
}

/**
 * A token cache as a {@link DocStore} read on demand: what stays resident is the document index in
 * typed arrays (shard, offset, length, corpus index, file: 16 bytes a document) and one reused read buffer;
 * tokens are fetched with positioned reads (pread) from the shard files, all opened here.
 *
 * @throws TokenCacheError when a shard cannot be opened or read, or (verifying) fails its checksum.
 */
export function openTokenCacheStore(dir: string, index: TokenCacheIndex, opts: TokenCacheStoreOptions = {}): DocStore {
  const width = BYTES_PER_TOKEN[index.dtype];
  const D = index.docs;
  // 16-bit where they fit: 16 bytes a document for up to 65,536 shards and corpus files
  const shardOf = index.shards.length <= 0x10000 ? new Uint16Array(D) : new Uint32Array(D);
  const start = new Uint32Array(D); // token offset within its shard
  const length = new Uint32Array(D);
  const corpusIndex = new Uint32Array(D);
  const fileOf = index.fingerprint.files.length <= 0x10000 ? new Uint16Array(D) : new Uint32Array(D);
  let d = 0;
  index.shards.forEach((s, k) => {
    let at = d;
    for (const [file, count] of s.files) fileOf.fill(file, at, (at += count));
    let off = 0;
    let run = 0;
    let runLeft = s.indices[0]?.[1] ?? 0;
    let next = s.indices[0]?.[0] ?? 0;
    for (const len of s.lengths) {
      while (runLeft === 0) [next, runLeft] = s.indices[++run];
      shardOf[d] = k;
      start[d] = off;
      length[d] = len;
      corpusIndex[d] = next++;
      runLeft--;
      off += len;
      d++;
    }
  });
  const total = index.shards.reduce((n, s) => n + s.bytes, 0);
  if (opts.verify ?? total <= VERIFY_BYTES) for (const s of index.shards) verifyShard(dir, s.file, s.sha256);

  // the closures below keep these, not `index` (its per-document JSON arrays would stay alive all run)
  const shardFiles = index.shards.map((sh) => sh.file);
  const tokens = index.tokens;
  const fds: number[] = [];
  let buf = Buffer.allocUnsafeSlow(64 * 1024); // offset 0: aligned for the typed views
  let closed = false;
  const fdOf = (k: number): number => {
    if (closed) throw new TokenCacheError(`${dir}: read after the token cache was closed`);
    if (fds[k] === undefined) {
      const path = join(dir, shardFiles[k]);
      try {
        fds[k] = openSync(path, 'r');
      } catch (e) {
        throw new TokenCacheError(`${path}: cannot open (${(e as Error).message}); delete ${dir} or let the run rebuild it`);
      }
    }
    return fds[k];
  };

  // open every shard now, so a cache deleted or rebuilt under a running reader stays readable
  // (POSIX keeps unlinked files while open); past the process's file limit the rest open on first use
  try {
    for (let k = 0; k < shardFiles.length; k++) fdOf(k);
  } catch (e) {
    if (!/EMFILE|ENFILE/.test((e as Error).message)) throw e;
  }

  return {
    count: D,
    tokens,
    corpusIndex: (i) => corpusIndex[i],
    file: (i) => fileOf[i],
    length: (i) => length[i],
    read(i, from, n, out, at) {
      if (n <= 0) return;
      const bytes = n * width;
      if (buf.byteLength < bytes) buf = Buffer.allocUnsafeSlow(Math.max(bytes, 2 * buf.byteLength));
      const k = shardOf[i];
      const pos = (start[i] + from) * width;
      let got = 0;
      while (got < bytes) {
        const r = readSync(fdOf(k), buf, got, bytes - got, pos + got);
        if (r === 0) throw new TokenCacheError(`${join(dir, shardFiles[k])}: ends before byte ${pos + bytes} (truncated); delete ${dir} or let the run rebuild it`);
        got += r;
      }
      const ids = width === 2 ? new Uint16Array(buf.buffer, buf.byteOffset, n) : new Uint32Array(buf.buffer, buf.byteOffset, n);
      out.set(ids, at);
    },
    close() {
      closed = true;
      for (const fd of fds) if (fd !== undefined) closeSync(fd);
      fds.length = 0;
    },
  };
}

/** Streams a shard through sha256 (1 MiB at a time) and compares it with the index. */
function verifyShard(dir: string, file: string, sha256: string): void {
  const path = join(dir, file);
  const hash = createHash('sha256');
  const chunk = Buffer.allocUnsafe(1 << 20);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new TokenCacheError(`${path}: cannot read (${(e as Error).message}); delete ${dir} or let the run rebuild it`);
  }
  try {
    for (let r; (r = readSync(fd, chunk, 0, chunk.byteLength, null)) > 0; ) hash.update(chunk.subarray(0, r));
  } finally {
    closeSync(fd);
  }
  const sum = hash.digest('hex');
  if (sum !== sha256) throw new TokenCacheError(`${path}: sha256 ${sum.slice(0, 12)}… differs from the index's ${sha256.slice(0, 12)}… (corrupt); delete ${dir} or let the run rebuild it`);
}
