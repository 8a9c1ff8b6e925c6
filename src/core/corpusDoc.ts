/**
 * One document as a file reader yields it, before readCorpus numbers it. `author` and `title` are
 * present only when the file has them (parquet columns or JSONL keys of those names).
 */
export interface CorpusDoc {
  readonly text: string;
  readonly author?: string;
  readonly title?: string | null;
  /** Present when the file has a `language` column / key. */
  readonly language?: string;
  /** Bytes of the file on disk read up to and including this document (for progress; approximate for Parquet). */
  readonly filePos?: number;
}

/** One document of a corpus, numbered across all its files. */
export interface CorpusRow {
  readonly text: string;
  /** Global document index: 0, 1, 2, ... across files in spec order. Stable for a given spec and files. */
  readonly index: number;
  /** The file it came from, as expanded from the spec (relative to `cwd` when the spec was). */
  readonly source: string;
  /** Present when the file has an `author` column / key. */
  readonly author?: string;
  /** Present when the file has a `title` column / key; null for untitled documents. */
  readonly title?: string | null;
  /** Present when the file has a `language` column / key. */
  readonly language?: string;
  /** Position of `source` in the spec's expanded file list (0 for the first file). */
  readonly file?: number;
  /** Bytes of `source` on disk read up to and including this document (for progress). */
  readonly filePos?: number;
}

/** A document's metadata columns, kept beside its tokens in the token cache (per-source metrics, author evaluation). */
export interface DocMeta {
  readonly author?: string;
  readonly title?: string | null;
  readonly language?: string;
}

/** A document as token ids, keeping its corpus index. */
export interface TokenizedDoc {
  readonly index: number;
  readonly ids: Int32Array;
  /** The corpus file it came from, as a position in the expanded file list (0 when not known). */
  readonly file?: number;
  /** Its author, title and language, when the corpus has them. */
  readonly meta?: DocMeta;
}

/**
 * Tokenized documents by position (0 … count−1, in corpus order), their tokens read on demand: the
 * token cache's shards on disk, or arrays in memory. Reads are synchronous so a batch is a plain
 * function of its step.
 */
export interface DocStore {
  readonly count: number;
  /** Tokens over all documents. */
  readonly tokens: number;
  /** The corpus index of document d (what the train/validation split hashes). */
  corpusIndex(d: number): number;
  /** The corpus file document d came from, as a position in the expanded file list. */
  file(d: number): number;
  /** Token count of document d (EOS included). */
  length(d: number): number;
  /** Copies tokens [from, from + n) of document d into `out` at `at`. */
  read(d: number, from: number, n: number, out: Int32Array, at: number): void;
  /** Releases open files; reads after close throw. */
  close(): void;
}
