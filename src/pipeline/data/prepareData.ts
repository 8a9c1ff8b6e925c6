import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { touchTokenCache } from '../../streams/cache/tokenCachePrune.ts';
import { dirname, resolve } from 'node:path';
import { lastValueFrom, reduce } from 'rxjs';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { ExampleSet } from '../../core/batch.ts';
import { CharTokenizer } from '../../model/tokenizer/charTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { docSpans, packedExamples, type Spans, truncatedExamples } from '../../model/nn/exampleSets.ts';
import { expandCorpusPaths, validationFiles } from '../../streams/sources/expandCorpusPaths.ts';
import { isValidationDoc } from '../../streams/sources/split.ts';
import { trainBpeOnCorpus } from './trainBpeOnCorpus.ts';
import { spBpeOptions, trainSpBpeOnCorpus } from './trainSpBpeOnCorpus.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import { withBos } from '../../model/tokenizer/withBos.ts';
import { charVocabFile } from '../../model/formats/tokenCacheFormat.ts';
import { corpusFingerprint } from '../../streams/cache/tokenCacheFingerprint.ts';
import { readCachedVocab, writeCachedVocab } from '../../streams/cache/tokenCacheVocab.ts';
import { corpus$ } from './corpus.ts';
import { progressMeter } from './progressMeter.ts';
import { type PreparedSource, prepareMixture } from './prepareMixture.ts';
import { readingSpec } from './cleaning.ts';
import { filterReports } from './filterReports.ts';
import type { FilterReport } from '../../core/events.ts';
import { withinLength } from '../../operators/filterLength.ts';
import { type TokenCacheInfo, tokenizedCorpus, type TokenizedCorpusConfig, type TokenizedCorpusOptions } from './tokenizedCorpus.ts';

export { corpus$, normalizeOptions } from './corpus.ts';
export type { TokenCacheInfo } from './tokenizedCorpus.ts';

export interface PreparedData {
  readonly tokenizer: Tokenizer;
  /** Training examples, read on demand from the token cache (or memory): see ExampleSet. */
  readonly train: ExampleSet;
  readonly val: ExampleSet;
  readonly trainTokens: number;
  readonly valTokens: number;
  readonly docs: { readonly train: number; readonly val: number };
  /** Whether the tokenized corpus came from the token cache, where it lives, and any cache warnings. */
  readonly cache: TokenCacheInfo;
  /** A mixture's sources (`data:` as a list), each with its examples; absent for one corpus. */
  readonly sources?: readonly PreparedSource[];
  /** The cleaning filters in use and what each dropped (from the token cache's record on a hit); absent without filters. */
  readonly filters?: readonly FilterReport[];
  /** Closes the token cache's files; the examples cannot be read after. */
  close(): void;
}

/** Options of {@link prepareData} beyond the config. */
export type PrepareDataOptions = Pick<TokenizedCorpusOptions, 'shardTokens' | 'onProgress' | 'step' | 'unitBytes' | 'progressEveryMs'>;

/** Special tokens of trained BPE tokenizers (Poetru's ids: [PAD]=0, [EOS]=1, [UNK]=2). */
export const BPE_SPECIALS = ['[PAD]', '[EOS]', '[UNK]'];

/**
 * The tokenizer a run uses: a char vocabulary read from the corpus, or a tokenizer.json. When the
 * named tokenizer.json does not exist and vocab_size is set, a BPE of that size (byte-level, or
 * SentencePiece-style with tokenizer_type sp_bpe) is trained
 * on the corpus (one streaming pass) and written there; `trained` says so. With bos_token the tokenizer
 * puts its BOS before every document (a trained one gets [BOS] or <s>; see withBos). With token_cache on, the
 * char vocabulary is kept in cache_dir by corpus fingerprint, so a warm start reads no corpus at all
 * (`cachedVocab` says it came from there).
 */
/** What {@link resolveTokenizer} reads. */
export type TokenizerConfig = TokenizedCorpusConfig & Pick<Config, 'tokenizer' | 'vocabSize'> & Partial<Pick<Config, 'tokenizerType' | 'characterCoverage' | 'byteFallback' | 'userDefinedSymbols' | 'bosToken'>>;

export async function resolveTokenizer(cfg: TokenizerConfig, opts: Pick<TokenizedCorpusOptions, 'onProgress' | 'step'> = {}): Promise<{ tokenizer: Tokenizer; trained?: string; cachedVocab?: boolean }> {
  if (cfg.tokenizer === 'char') {
    const got = await charTokenizer(cfg, opts);
    return cfg.bosToken ? { ...got, tokenizer: withBos(got.tokenizer) } : got;
  }
  if (!existsSync(cfg.tokenizer)) {
    if (cfg.vocabSize <= 0) throw new ConfigError(`tokenizer: ${cfg.tokenizer} does not exist; set vocab_size to have one trained at start, use \`char\`, or run \`versiflow tokenizer train\``);
    const byteMin = 256 + BPE_SPECIALS.length;
    if (cfg.tokenizerType !== 'sp_bpe' && cfg.vocabSize < byteMin) {
      throw new ConfigError(`tokenizer: vocab_size ${cfg.vocabSize} is below a byte-level BPE's ${byteMin} tokens (256 bytes + ${BPE_SPECIALS.length} specials); set tokenizer_type: sp_bpe for a character-initial BPE of that size (docs/tokenizers.md), or raise vocab_size`);
    }
    const { tokenizer } =
      cfg.tokenizerType === 'sp_bpe'
        ? await trainSpBpeOnCorpus(cfg, { ...spBpeOptions({ vocabSize: cfg.vocabSize, characterCoverage: cfg.characterCoverage ?? 0.9995, byteFallback: cfg.byteFallback ?? 'auto', userDefinedSymbols: cfg.userDefinedSymbols ?? '' }), bos: cfg.bosToken ?? false })
        : await trainBpeOnCorpus(cfg, { vocabSize: cfg.vocabSize, minFrequency: 2, specialTokens: BPE_SPECIALS, bos: cfg.bosToken ?? false });
    mkdirSync(dirname(resolve(cfg.tokenizer)), { recursive: true });
    writeFileSync(cfg.tokenizer, JSON.stringify(tokenizer.toJSON()));
    return { tokenizer, trained: cfg.tokenizer };
  }
  try {
    const tokenizer = tokenizerFromJSON(JSON.parse(readFileSync(cfg.tokenizer, 'utf8')));
    return { tokenizer: cfg.bosToken ? withBos(tokenizer) : tokenizer };
  } catch (e) {
    throw new ConfigError(`tokenizer: ${cfg.tokenizer}: ${(e as Error).message}`);
  }
}

/** The corpus's character vocabulary, from the cache when token_cache is on and it holds this corpus. */
async function charTokenizer(cfg: TokenizedCorpusConfig, opts: Pick<TokenizedCorpusOptions, 'onProgress' | 'step'>): Promise<{ tokenizer: Tokenizer; cachedVocab?: boolean }> {
  const fingerprint = cfg.tokenCache ? await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: readingSpec(cfg), maxDocs: cfg.maxDocs }) : null;
  const vocabPath = fingerprint ? resolve(cfg.cacheDir, charVocabFile(fingerprint)) : '';
  const cached = fingerprint ? await readCachedVocab(vocabPath, fingerprint) : null;
  if (cached) {
    try {
      const tokenizer = CharTokenizer.fromJSON(cached);
      await touchTokenCache(vocabPath);
      return { tokenizer, cachedVocab: true };
    } catch {
      // a damaged entry: fall through and rebuild it
    }
  }
  // one streaming pass collecting the character set; no text is kept
  const sizes = opts.onProgress ? (await corpusFingerprint(cfg.data, { textColumn: cfg.textColumn, normalize: cfg.normalize, maxDocs: cfg.maxDocs })).files.map((f) => f.size) : [];
  const before = sizes.reduce<number[]>((acc, n) => [...acc, acc[acc.length - 1] + n], [0]);
  const meter = opts.onProgress ? progressMeter({ phase: 'vocab', totalBytes: before[before.length - 1], workers: 1, step: opts.step, emit: opts.onProgress }) : null;
  let rows = 0;
  let bytes = 0;
  const chars = await lastValueFrom(
    corpus$(cfg).pipe(
      reduce((set, row) => {
        for (const ch of row.text) set.add(ch);
        bytes = before[row.file ?? 0] + (row.filePos ?? 0);
        meter?.update(++rows, bytes, 0);
        return set;
      }, new Set<string>()),
    ),
  );
  meter?.done(rows, bytes, 0);
  const tokenizer = new CharTokenizer([...chars].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  // best effort: without the entry the next run only reads the corpus once more
  if (fingerprint) await writeCachedVocab(vocabPath, fingerprint, tokenizer.toJSON()).catch(() => undefined);
  return { tokenizer };
}

/**
 * Reads, normalises and tokenizes the corpus (one streaming pass, or the token cache when one
 * matches the corpus files and tokenizer; see tokenizedCorpus), splits documents into train and
 * validation by seed (or by file, for a Hugging Face layout with validation-* files), and lays them
 * out as examples (pack or truncate) read on demand from the cache. A corpus of one document (a
 * .txt) is split by tokens instead: the last val_fraction is validation.
 */
/** What {@link prepareData} reads: the corpus, the cache, and how documents become examples. */
export type PrepareDataConfig = TokenizedCorpusConfig & Pick<Config, 'seed' | 'valFraction' | 'context' | 'layout'> & Partial<Pick<Config, 'dataSources' | 'dataMix' | 'minTokens' | 'maxTokens'>>;

export async function prepareData(cfg: PrepareDataConfig, tokenizer: Tokenizer, opts: PrepareDataOptions = {}): Promise<PreparedData> {
  if (cfg.dataSources) return prepareMixture(cfg, tokenizer, opts, prepareData);
  const T = cfg.context;
  const pad = cfg.layout === 'pack' ? 0 : padOf(tokenizer);
  const reports: FilterReport[] = [];
  const { store, cache } = await tokenizedCorpus(cfg, tokenizer, { ...opts, onFilterReport: (r) => reports.push(r) });
  const docs = store!;
  const filters = [...(await filterReports(cfg, cache, reports))];
  if (docs.count === 0) {
    docs.close();
    throw new DataError(`${cfg.data}: no documents`);
  }
  let trainSpans: Spans;
  let valSpans: Spans;
  if (docs.count === 1) {
    const len = docs.length(0);
    const cut = Math.floor(len * (1 - cfg.valFraction));
    trainSpans = { doc: new Uint32Array([0]), from: new Float64Array([0]), len: new Uint32Array([cut]) };
    valSpans = cfg.valFraction > 0 ? { doc: new Uint32Array([0]), from: new Float64Array([cut]), len: new Uint32Array([len - cut]) } : docSpans(docs, []);
  } else {
    // a Hugging Face layout's validation-* files are the validation set; otherwise a seeded hash of each index
    const heldOut = validationFiles(await expandCorpusPaths(cfg.data));
    const isVal = new Uint8Array(docs.count);
    let nVal = 0;
    for (let d = 0; d < docs.count; d++) nVal += isVal[d] = (heldOut.size > 0 ? heldOut.has(docs.file(d)) : isValidationDoc(docs.corpusIndex(d), cfg.seed, cfg.valFraction)) ? 1 : 0;
    // min_tokens / max_tokens: documents left out by their length in the index (BOS and EOS not counted), no token read
    const bounds = { min: cfg.minTokens ?? 0, max: cfg.maxTokens ?? 0 };
    let out = 0;
    if (bounds.min || bounds.max) {
      const framing = (tokenizer.eosId >= 0 ? 1 : 0) + (tokenizer.addBos ? 1 : 0);
      for (let d = 0; d < docs.count; d++)
        if (!withinLength(docs.length(d) - framing, bounds)) {
          nVal -= isVal[d];
          isVal[d] = 2;
          out++;
        }
      filters.push({ filter: 'length_tokens', seen: docs.count, dropped: out });
    }
    const train = new Uint32Array(docs.count - nVal - out);
    const val = new Uint32Array(nVal);
    for (let d = 0, t = 0, v = 0; d < docs.count; d++) if (isVal[d] === 1) val[v++] = d;
    else if (isVal[d] === 0) train[t++] = d;
    trainSpans = docSpans(docs, train);
    valSpans = docSpans(docs, val);
  }
  const layout = (s: Spans): ExampleSet => (cfg.layout === 'pack' ? packedExamples(docs, s, T) : truncatedExamples(docs, s, T, pad));
  const train = layout(trainSpans);
  const val = layout(valSpans);
  return {
    tokenizer,
    train,
    val,
    trainTokens: train.tokens,
    valTokens: val.tokens,
    docs: { train: trainSpans.len.length, val: valSpans.len.length },
    cache,
    ...(filters.length ? { filters } : {}),
    close: () => docs.close(),
  };
}

function padOf(tok: Tokenizer): number {
  if (tok.padId < 0) throw new ConfigError('layout truncate needs a tokenizer with a [PAD] token');
  return tok.padId;
}

