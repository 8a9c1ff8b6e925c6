/**
 * One document as a file reader yields it, before readCorpus numbers it. `author` and `title` are
 * present only when the file has them (parquet columns or JSONL keys of those names).
 */
export interface CorpusDoc {
  readonly text: string;
  readonly author?: string;
  readonly title?: string | null;
}
