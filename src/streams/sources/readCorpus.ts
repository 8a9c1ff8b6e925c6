import type { CorpusRow } from '../../core/corpusDoc.ts';
import { extname, resolve } from 'node:path';
import type { Observable } from 'rxjs';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { CorpusDoc } from '../../core/corpusDoc.ts';
import { withoutCodec } from './decodedStream.ts';
import { expandCorpusPaths } from './expandCorpusPaths.ts';
import { fromAsyncIterable } from './fromAsyncIterable.ts';
import { readJsonl } from './readJsonl.ts';
import { readParquet } from './readParquet.ts';
import { readText } from './readText.ts';

export interface ReadCorpusOptions {
  /** Parquet column or JSONL key holding the text. Ignored for .txt. @default 'text' */
  readonly textColumn?: string;
  /** Stop after this many documents; 0 reads all. @default 0 */
  readonly maxDocs?: number;
  /** Directory that relative paths and globs resolve against. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * Reads a corpus lazily as an async iterable of rows: nothing is opened until the first pull, and
 * each pull reads only as far as needed (Parquet one row group at a time, JSONL one line at a time,
 * .txt as one document; `.gz` and `.zst` JSONL and text decompressed as they stream). Breaking out of the loop closes the current file.
 *
 * `spec`: a file (.parquet, .jsonl, .txt, .jsonl.gz, .jsonl.zst, .txt.gz, .txt.zst), a directory (a
 * Hugging Face dataset's too), a glob, or several of these separated by commas; see
 * expandCorpusPaths for the rules.
 *
 * @throws DataError (on the first pull or while reading) for a missing path, a glob matching
 *   nothing, an unsupported extension, a missing text column, or a malformed JSONL line.
 * @throws ConfigError for a negative or fractional `maxDocs`, or an empty `textColumn`.
 */
export async function* corpusRows(spec: string, opts: ReadCorpusOptions = {}): AsyncGenerator<CorpusRow> {
  const { textColumn = 'text', maxDocs = 0, cwd = process.cwd() } = opts;
  if (!Number.isInteger(maxDocs) || maxDocs < 0) {
    throw new ConfigError(`maxDocs must be a whole number >= 0 (0 = all documents), got ${maxDocs}`);
  }
  if (textColumn === '') throw new ConfigError('textColumn must name a Parquet column or JSONL key, got ""');
  const limit = maxDocs === 0 ? Infinity : maxDocs;
  const files = await expandCorpusPaths(spec, cwd);

  let index = 0;
  for (let file = 0; file < files.length; file++) {
    const source = files[file];
    if (index >= limit) return;
    for await (const doc of readFile(resolve(cwd, source), source, textColumn)) {
      yield { ...doc, index, source, file };
      if (++index >= limit) return;
    }
  }
}

/**
 * The corpus as a cold Observable of rows: each subscription reads from the start, pulling one row
 * at a time (see fromAsyncIterable), and unsubscribing stops the reading and closes the file.
 *
 * @example
 * readCorpus('data/ru_poetry.parquet', { maxDocs: 100 }).pipe(normalizeText({ yo: true }))
 */
export function readCorpus(spec: string, opts: ReadCorpusOptions = {}): Observable<CorpusRow> {
  return fromAsyncIterable(() => corpusRows(spec, opts));
}

function readFile(path: string, label: string, textColumn: string): AsyncGenerator<CorpusDoc> {
  switch (extname(withoutCodec(path)).toLowerCase()) {
    case '.parquet':
      return readParquet(path, textColumn, label);
    case '.jsonl':
      return readJsonl(path, textColumn, label);
    default: // '.txt': expandCorpusPaths lets no other extension through
      return readText(path, label);
  }
}
