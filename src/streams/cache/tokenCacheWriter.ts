import { createHash } from 'node:crypto';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  BYTES_PER_TOKEN,
  type CorpusFingerprint,
  encodeMeta,
  encodeShard,
  HOST_LITTLE_ENDIAN,
  TOKEN_CACHE_FORMAT,
  TOKEN_CACHE_VERSION,
  type TokenCacheIndex,
  type TokenCacheShard,
  tokenDtype,
  toRuns,
} from '../../model/formats/tokenCacheFormat.ts';
import type { TokenizedDoc } from '../../core/corpusDoc.ts';

export interface TokenCacheMeta {
  readonly fingerprint: CorpusFingerprint;
  readonly tokenizerHash: string;
  readonly vocabSize: number;
  /** Whether the documents end with EOS (as tokenize() appends it when the tokenizer has one). */
  readonly eos: boolean;
}

export interface TokenCacheWriterOptions {
  /**
   * A shard is closed once it holds at least this many tokens (documents are never split, so a longer
   * document makes one larger shard). Bounds the memory of writer and reader: 4M uint16 tokens = 8 MiB.
   * @default 4_194_304
   */
  readonly shardTokens?: number;
}

export interface TokenCacheWriter {
  /** Adds the next document; writes a shard file when the current one is full. */
  write(doc: TokenizedDoc): Promise<void>;
  /**
   * Writes the last shard and index.json, then renames the temp directory to `dir` in one step, so a
   * reader sees the whole cache or none. An existing `dir` (a stale or corrupt cache) is replaced;
   * if another process put a cache there in the meantime, that one is kept and ours dropped.
   */
  finish(): Promise<TokenCacheIndex>;
  /** Removes the temp directory; `dir` is left as it was. */
  abort(): Promise<void>;
}

/**
 * Starts a token cache for `dir`, written into a sibling temp directory (`<dir>.tmp-XXXXXX`) until
 * {@link TokenCacheWriter.finish}. Holds at most one shard of documents in memory.
 *
 * @throws Error when the host is big-endian (shards are little-endian) or the directory cannot be made.
 */
export async function createTokenCacheWriter(dir: string, meta: TokenCacheMeta, opts: TokenCacheWriterOptions = {}): Promise<TokenCacheWriter> {
  if (!HOST_LITTLE_ENDIAN) throw new Error('token caches are little-endian and this host is not');
  const shardTokens = opts.shardTokens ?? 4_194_304;
  const dtype = tokenDtype(meta.vocabSize);
  await mkdir(dirname(dir), { recursive: true });
  const tmp = await mkdtemp(join(dirname(dir), `${basename(dir)}.tmp-`));
  await chmod(tmp, 0o755); // mkdtemp makes it private; the cache is as readable as the corpus
  const shards: TokenCacheShard[] = [];
  let pending: TokenizedDoc[] = [];
  let pendingTokens = 0;

  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const bytes = encodeShard(pending.map((d) => d.ids), dtype);
    const file = `shard-${String(shards.length).padStart(5, '0')}.bin`;
    await writeFile(join(tmp, file), bytes);
    const metaLines = encodeMeta(pending.map((d) => d.meta));
    const meta = metaLines === null ? undefined : `meta-${String(shards.length).padStart(5, '0')}.jsonl`;
    if (meta) await writeFile(join(tmp, meta), metaLines!);
    shards.push({
      file,
      docs: pending.length,
      tokens: pendingTokens,
      bytes: pendingTokens * BYTES_PER_TOKEN[dtype],
      sha256: createHash('sha256').update(bytes).digest('hex'),
      lengths: pending.map((d) => d.ids.length),
      indices: toRuns(pending.map((d) => d.index)),
      files: sameRuns(pending.map((d) => d.file ?? 0)),
      ...(meta ? { meta } : {}),
    });
    pending = [];
    pendingTokens = 0;
  };

  return {
    async write(doc) {
      pending.push(doc);
      pendingTokens += doc.ids.length;
      if (pendingTokens >= shardTokens) await flush();
    },
    async finish() {
      await flush();
      const index: TokenCacheIndex = {
        format: TOKEN_CACHE_FORMAT,
        version: TOKEN_CACHE_VERSION,
        tokenizerHash: meta.tokenizerHash,
        vocabSize: meta.vocabSize,
        dtype,
        endianness: 'LE',
        eos: meta.eos,
        fingerprint: meta.fingerprint,
        docs: shards.reduce((n, s) => n + s.docs, 0),
        tokens: shards.reduce((n, s) => n + s.tokens, 0),
        shards,
      };
      await writeFile(join(tmp, 'index.json'), JSON.stringify(index));
      await rm(dir, { recursive: true, force: true });
      try {
        await rename(tmp, dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw e;
        await rm(tmp, { recursive: true, force: true }); // lost a race to an equal cache
      }
      return index;
    },
    async abort() {
      pending = [];
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** [0,0,0,1,1] → [[0,3],[1,2]]: runs of equal values. */
function sameRuns(values: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (const v of values) {
    const last = runs[runs.length - 1];
    if (last && last[0] === v) last[1]++;
    else runs.push([v, 1]);
  }
  return runs;
}
