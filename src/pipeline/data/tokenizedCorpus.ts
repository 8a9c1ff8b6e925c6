import { resolve } from 'node:path';
import { pruneTokenCaches, touchTokenCache } from '../../streams/cache/tokenCachePrune.ts';
import { availableParallelism } from 'node:os';
import { concatMap, lastValueFrom, reduce, tap } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import type { DataProgressEvent } from '../../core/events.ts';
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
import { expandCorpusPaths } from '../../streams/sources/expandCorpusPaths.ts';
import { type CorpusConfig, corpus$ } from './corpus.ts';
import { cleaningSpec, readingSpec } from './cleaning.ts';
import type { FilterReport } from '../../core/events.ts';
import { type ProgressMeter, progressMeter } from './progressMeter.ts';
import { tokenizeInParallel } from './tokenizeInParallel.ts';
import { planTokenizeUnits } from './tokenizePlan.ts';

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
  /** Receives data/progress events while the corpus is read and tokenized (about once a second, then done). */
  readonly onProgress?: (e: DataProgressEvent) => void;
  /** The step data/progress events carry (a resumed run's start step). @default 0 */
  readonly step?: number;
  /** Least milliseconds between two live data/progress events. @default 1000 */
  readonly progressEveryMs?: number;
  /** Corpus bytes per worker's unit of work. @default 32 MB */
  readonly unitBytes?: number;
  /** Receives each cleaning filter's report when the corpus is tokenized (not on a cache hit). */
  readonly onFilterReport?: (r: FilterReport) => void;
}

/** A worker's share of a corpus (see planTokenizeUnits): the grain of parallel work and of resuming. */
export const UNIT_BYTES = 32_000_000;

/**
 * The corpus of `cfg` tokenized with `tokenizer` (BOS first when the tokenizer adds one, EOS appended),
 * from the token cache when one matches the corpus fingerprint and tokenizer hash (which covers the BOS
 * setting: a tokenizer that adds BOS has another tokenizer.json, so another hash), otherwise read, normalised and tokenized into the cache:
 * by `tokenize_workers` worker threads when the corpus spans several units (tokenizeInParallel,
 * resumable), else in one streaming pass here. A stale, corrupt or truncated cache is rebuilt with a
 * warning; a cache that cannot be written is a warning too (the documents are then kept in memory).
 * Errors of the corpus itself (DataError) propagate. `onProgress` hears data/progress events.
 */
/** What {@link tokenizedCorpus} reads: the corpus and the token cache's keys. */
export type TokenizedCorpusConfig = CorpusConfig & Pick<Config, 'tokenCache' | 'tokenCacheKeep' | 'cacheDir' | 'tokenizeWorkers'>;

export async function tokenizedCorpus(cfg: TokenizedCorpusConfig, tokenizer: Tokenizer, opts: TokenizedCorpusOptions = {}): Promise<TokenizedCorpus> {
  const keep = opts.keep ?? true;
  const warnings: string[] = [];
  let cachePath: string | null = null;
  const inMemory = async (): Promise<TokenizedCorpus> => {
    const out = await tokenizeCorpus(cfg, tokenizer, null, keep, warnings, await meterFor(cfg, opts, 1), opts.onFilterReport);
    return { store: keep ? memoryDocStore(out.docs) : null, docCount: out.docCount, tokens: out.tokens, cache: { hit: false, path: cfg.tokenCache ? cachePath : null, warnings } };
  };
  if (!cfg.tokenCache) return inMemory();

  const labels = await expandCorpusPaths(cfg.data);
  const fingerprint = await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: readingSpec(cfg), maxDocs: cfg.maxDocs });
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

  // a corpus of several units: worker threads, resumable; one unit (or max_docs): this thread
  const files = fingerprint.files.map((f, k) => ({ path: f.path, label: labels[k], size: f.size }));
  // cleaning filters (dedupe sees the whole corpus) read in this thread too
  const units = cfg.maxDocs === 0 && cfg.tokenizeWorkers !== 1 && !cleaningSpec(cfg) ? await planTokenizeUnits(files, opts.unitBytes ?? UNIT_BYTES) : [];
  if (units.length > 1) {
    const workers = Math.min(units.length, cfg.tokenizeWorkers || availableParallelism());
    const meter = await meterFor(cfg, opts, workers);
    const last = { rows: 0, bytes: 0, tokens: 0 };
    const { index } = await tokenizeInParallel({
      dir,
      fingerprint,
      tokenizer,
      textColumn: cfg.textColumn,
      normalize: cfg.normalize,
      units,
      workers,
      onProgress: (p) => (Object.assign(last, p), meter?.update(p.rows, p.bytes, p.tokens)),
    });
    meter?.done(index.docs, last.bytes, index.tokens);
    await pruneTokenCaches(resolve(cfg.cacheDir), cfg.tokenCacheKeep, [dir]).catch(() => undefined);
    return { store: keep ? openTokenCacheStore(dir, index, { verify: false }) : null, docCount: index.docs, tokens: index.tokens, cache: { hit: false, path: dir, warnings } };
  }

  let writer: TokenCacheWriter | null = null;
  try {
    writer = await createTokenCacheWriter(dir, { fingerprint, tokenizerHash: tokenizer.hash, vocabSize: tokenizer.vocabSize, eos: tokenizer.eosId >= 0 }, { shardTokens: opts.shardTokens });
  } catch (e) {
    warnings.push(`token cache ${dir}: cannot write (${(e as Error).message}); continuing without it`);
    return inMemory();
  }
  const out = await tokenizeCorpus(cfg, tokenizer, writer, false, warnings, await meterFor(cfg, opts, 1), opts.onFilterReport);
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

/** A data/progress meter over the corpus's files (null without a listener), and each file's size. */
async function meterFor(cfg: CorpusConfig, opts: TokenizedCorpusOptions, workers: number): Promise<(ProgressMeter & { readonly sizes: readonly number[] }) | null> {
  const emit = opts.onProgress;
  if (!emit) return null;
  const sizes = (await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: cfg.normalize, maxDocs: cfg.maxDocs })).files.map((f) => f.size);
  return { ...progressMeter({ phase: 'tokenize', totalBytes: sizes.reduce((a, b) => a + b, 0), workers, step: opts.step, everyMs: opts.progressEveryMs, emit }), sizes };
}

/** One pass: read, normalise, tokenize; each document goes to `writer` (if any) and, if `keep`, to memory. */
async function tokenizeCorpus(cfg: CorpusConfig, tokenizer: Tokenizer, writer: TokenCacheWriter | null, keep: boolean, warnings: string[], meter: (ProgressMeter & { readonly sizes: readonly number[] }) | null = null, onFilterReport?: (r: FilterReport) => void): Promise<Tokenized> {
  // corpus bytes before each file, so a row's file and position give the bytes read so far
  const before = meter ? meter.sizes.reduce<number[]>((acc, n) => [...acc, acc[acc.length - 1] + n], [0]) : [];
  let rows = 0;
  let tokens = 0;
  let bytes = 0;
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
      corpus$(cfg, onFilterReport).pipe(
        tap((row) => meter && (bytes = before[row.file ?? 0] + (row.filePos ?? 0))),
        tokenize(tokenizer),
        tap((doc) => meter?.update(++rows, bytes, (tokens += doc.ids.length))),
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
  meter?.done(counts.docs, bytes, counts.tokens);
  let index: TokenCacheIndex | null = null;
  if (w) index = await w.finish().catch(async (e) => (await dropWriter('finishing', e), null));
  return { docs, docCount: counts.docs, tokens: counts.tokens, index };
}
