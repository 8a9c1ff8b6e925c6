import { resolve } from 'node:path';
import { pruneTokenCaches, touchTokenCache } from '../../streams/cache/tokenCachePrune.ts';
import { concatMap, lastValueFrom, reduce } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import { TokenCacheError } from '../../core/errors/TokenCacheError.ts';
import { type TokenCacheIndex, tokenCacheKey } from '../../model/formats/tokenCacheFormat.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { memoryDocStore } from '../../model/nn/memoryDocStore.ts';
import { tokenize } from '../../operators/tokenize.ts';
import type { DocStore, TokenizedDoc } from '../../core/corpusDoc.ts';
import { corpusFingerprint } from '../../streams/cache/tokenCacheFingerprint.ts';
import { probeTokenCache } from '../../streams/cache/tokenCacheReader.ts';
import { openTokenCacheStore } from '../../streams/cache/tokenCacheStore.ts';
import { createTokenCacheWriter, type TokenCacheWriter } from '../../streams/cache/tokenCacheWriter.ts';
import { type CorpusConfig, corpus$ } from './corpus.ts';

/** How the tokenized corpus was obtained; surfaced in run/start. */
export interface TokenCacheInfo {
  /** True when the documents came from the cache and the tokenizer encoded nothing. */
  readonly hit: boolean;
  /** The cache directory read or written; null when token_cache is off. */
  readonly path: string | null;
  /** Why a cache was rebuilt or could not be written (stale, corrupt, unwritable); empty normally. */
  readonly warnings: readonly string[];
}

export interface TokenizedCorpus {
  /**
   * The documents, read on demand: from the cache's shards on disk (only the document index is
   * resident), or from memory when there is no cache (token_cache off or unwritable). Null when
   * `keep` was false. Close it when done.
   */
  readonly store: DocStore | null;
  readonly docCount: number;
  readonly tokens: number;
  readonly cache: TokenCacheInfo;
}

export interface TokenizedCorpusOptions {
  /** Open the documents for reading (training); false only counts them (the `tokenizer cache` command). @default true */
  readonly keep?: boolean;
  /** Tokens per shard of a newly written cache; see TokenCacheWriterOptions. */
  readonly shardTokens?: number;
}

/**
 * The corpus of `cfg` tokenized with `tokenizer` (EOS appended), from the token cache when one matches
 * the corpus fingerprint and tokenizer hash, otherwise read, normalised and tokenized in one streaming
 * pass that writes the cache. A stale, corrupt or truncated cache is rebuilt with a warning; a cache
 * that cannot be written is a warning too (the documents are then kept in memory). Errors of the
 * corpus itself (DataError) propagate.
 */
/** What {@link tokenizedCorpus} reads: the corpus and the token cache's keys. */
export type TokenizedCorpusConfig = CorpusConfig & Pick<Config, 'tokenCache' | 'tokenCacheKeep' | 'cacheDir'>;

export async function tokenizedCorpus(cfg: TokenizedCorpusConfig, tokenizer: Tokenizer, opts: TokenizedCorpusOptions = {}): Promise<TokenizedCorpus> {
  const keep = opts.keep ?? true;
  const warnings: string[] = [];
  let cachePath: string | null = null;
  const inMemory = async (): Promise<TokenizedCorpus> => {
    const out = await tokenizeCorpus(cfg, tokenizer, null, keep, warnings);
    return { store: keep ? memoryDocStore(out.docs) : null, docCount: out.docCount, tokens: out.tokens, cache: { hit: false, path: cfg.tokenCache ? cachePath : null, warnings } };
  };
  if (!cfg.tokenCache) return inMemory();

  const fingerprint = await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: cfg.normalize, maxDocs: cfg.maxDocs });
  const dir = resolve(cfg.cacheDir, tokenCacheKey(fingerprint, tokenizer.hash));
  cachePath = dir;
  const probe = await probeTokenCache(dir, { fingerprint, tokenizerHash: tokenizer.hash });
  if (probe.status === 'hit') {
    try {
      const store = keep ? openTokenCacheStore(dir, probe.index) : null;
      await touchTokenCache(dir);
      return { store, docCount: probe.index.docs, tokens: probe.index.tokens, cache: { hit: true, path: dir, warnings } };
    } catch (e) {
      if (!(e instanceof TokenCacheError)) throw e;
      warnings.push(`token cache: ${e.message.replace(/; delete .*$/, '')}; rebuilding it`);
    }
  } else if (probe.status === 'invalid') {
    warnings.push(`token cache ${dir}: ${probe.reason}; rebuilding it`);
  }

  let writer: TokenCacheWriter | null = null;
  try {
    writer = await createTokenCacheWriter(dir, { fingerprint, tokenizerHash: tokenizer.hash, vocabSize: tokenizer.vocabSize, eos: tokenizer.eosId >= 0 }, { shardTokens: opts.shardTokens });
  } catch (e) {
    warnings.push(`token cache ${dir}: cannot write (${(e as Error).message}); continuing without it`);
    return inMemory();
  }
  const out = await tokenizeCorpus(cfg, tokenizer, writer, false, warnings);
  await pruneTokenCaches(resolve(cfg.cacheDir), cfg.tokenCacheKeep, [dir]).catch(() => undefined);
  // the cache could not be completed: one more pass, into memory
  if (!out.index) return keep ? inMemory() : { store: null, docCount: out.docCount, tokens: out.tokens, cache: { hit: false, path: dir, warnings } };
  return { store: keep ? openTokenCacheStore(dir, out.index, { verify: false }) : null, docCount: out.docCount, tokens: out.tokens, cache: { hit: false, path: dir, warnings } };
}

interface Tokenized {
  readonly docs: TokenizedDoc[];
  readonly docCount: number;
  readonly tokens: number;
  /** The index of the cache written; null when there was no writer or it failed. */
  readonly index: TokenCacheIndex | null;
}

/** One pass: read, normalise, tokenize; each document goes to `writer` (if any) and, if `keep`, to memory. */
async function tokenizeCorpus(cfg: CorpusConfig, tokenizer: Tokenizer, writer: TokenCacheWriter | null, keep: boolean, warnings: string[]): Promise<Tokenized> {
  const docs: TokenizedDoc[] = [];
  let w = writer;
  const dropWriter = async (what: string, e: unknown): Promise<void> => {
    warnings.push(`token cache: ${what} failed (${(e as Error).message}); continuing without it`);
    const failed = w;
    w = null;
    await failed?.abort().catch(() => undefined);
  };
  let counts: { docs: number; tokens: number };
  try {
    counts = await lastValueFrom(
      corpus$(cfg).pipe(
        tokenize(tokenizer),
        concatMap(async (doc) => {
          if (w) await w.write(doc).catch((e) => dropWriter('writing', e));
          if (keep) docs.push(doc);
          return doc.ids.length;
        }),
        reduce((acc, n) => ({ docs: acc.docs + 1, tokens: acc.tokens + n }), { docs: 0, tokens: 0 }),
      ),
    );
  } catch (e) {
    await w?.abort().catch(() => undefined);
    throw e;
  }
  let index: TokenCacheIndex | null = null;
  if (w) index = await w.finish().catch(async (e) => (await dropWriter('finishing', e), null));
  return { docs, docCount: counts.docs, tokens: counts.tokens, index };
}
