import { createReadStream } from 'node:fs';
import { extname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataError } from '../../core/errors/DataError.ts';
import { expandCorpusPaths } from './expandCorpusPaths.ts';

/** One row of a table-shaped corpus file, with every column, and where it came from. */
export interface RecordRow {
  readonly row: Readonly<Record<string, unknown>>;
  /** Global row index: 0, 1, 2, ... across files in spec order. */
  readonly index: number;
  /** The file, as expanded from the spec. */
  readonly source: string;
  /** 1-based line (JSONL) or 0-based row (Parquet) inside the file, for error messages. */
  readonly where: string;
  /** The file's columns: the Parquet schema's, or the keys of the JSONL file's first row. */
  readonly columns: readonly string[];
}

/**
 * Every column of every row of .parquet and .jsonl files (a spec as readCorpus takes it), lazily:
 * Parquet one row group at a time, JSONL one line at a time. Nested Parquet columns (a list of
 * structs) come back as arrays of objects. Used by dialogue corpora, whose rows are turns plus
 * quality columns rather than one text.
 *
 * @throws DataError for a .txt file (no columns), a file that is not Parquet, a malformed JSONL line.
 */
export async function* readRecords(spec: string, cwd: string = process.cwd()): AsyncGenerator<RecordRow> {
  let index = 0;
  for (const source of await expandCorpusPaths(spec, cwd)) {
    const path = resolve(cwd, source);
    const ext = extname(path).toLowerCase();
    const rows = ext === '.parquet' ? parquetRows(path, source) : ext === '.jsonl' ? jsonlRows(path, source) : null;
    if (!rows) throw new DataError(`${source}: a dialogue corpus must be .parquet or .jsonl (rows with a list of turns), not ${ext}`);
    for await (const r of rows) yield { ...r, index: index++, source };
  }
}

type FileRow = Pick<RecordRow, 'row' | 'where' | 'columns'>;

async function* jsonlRows(path: string, label: string): AsyncGenerator<FileRow> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let columns: string[] | null = null;
  try {
    for await (const line of lines) {
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new DataError(`${label}:${lineNo}: malformed JSON (${(e as Error).message}); each line must be one JSON object`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new DataError(`${label}:${lineNo}: expected a JSON object`);
      columns ??= Object.keys(value);
      yield { row: value as Record<string, unknown>, where: `${label}:${lineNo}`, columns };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}

async function* parquetRows(path: string, label: string): AsyncGenerator<FileRow> {
  const file = await asyncBufferFromFile(path);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new DataError(`${label}: not a readable Parquet file (${(e as Error).message})`);
  }
  const columns = parquetSchema(metadata).children.map((c) => c.element.name);
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    const rows = await parquetReadObjects({ file, metadata, rowStart, rowEnd, compressors });
    for (let i = 0; i < rows.length; i++) yield { row: rows[i], where: `${label} row ${rowStart + i}`, columns };
    rowStart = rowEnd;
  }
}
