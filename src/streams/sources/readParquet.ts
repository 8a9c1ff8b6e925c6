import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { DataError } from '../../core/errors/DataError.ts';
import type { CorpusDoc } from '../../core/corpusDoc.ts';

/**
 * Streams the documents of a Parquet file, one row group at a time: memory holds the footer and one
 * decoded group (the shipped corpus uses 256-row groups, ~350 KB of text), never the whole file.
 * Reads `textColumn` plus `author` / `title` / `language` when the file has them. All codecs of
 * hyparquet-compressors are supported (SNAPPY, GZIP, ZSTD, BROTLI, LZ4).
 *
 * @param path file to open (as given to the user; resolved against the process cwd by the caller).
 * @param label name used in error messages.
 * @param groups only row groups [first, end) (a worker's share of the file); all by default.
 * @throws DataError when the file is not Parquet, lacks `textColumn` (the message lists the columns
 *   it has), or a row's text is null or not a string (with the row number).
 */
export async function* readParquet(path: string, textColumn: string, label: string = path, groups?: readonly [number, number]): AsyncGenerator<CorpusDoc> {
  const file = await asyncBufferFromFile(path);
  let metadata;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (e) {
    throw new DataError(`${label}: not a readable Parquet file (${(e as Error).message})`);
  }
  const names = parquetSchema(metadata).children.map((c) => c.element.name);
  if (!names.includes(textColumn)) {
    throw new DataError(`${label}: no column "${textColumn}"; the file has columns [${names.join(', ')}]. Set the text column option to one of them`);
  }
  const columns = [...new Set([textColumn, ...['author', 'title', 'language'].filter((c) => names.includes(c))])];
  const hasAuthor = columns.includes('author');
  const hasTitle = columns.includes('title');
  const hasLanguage = columns.includes('language');

  let rowStart = 0;
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const rowEnd = rowStart + Number(metadata.row_groups[g].num_rows);
    if (groups && (g < groups[0] || g >= groups[1])) {
      rowStart = rowEnd;
      continue;
    }
    const rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd, compressors });
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      const text: unknown = row[textColumn];
      if (typeof text !== 'string') {
        throw new DataError(`${label}: row ${rowStart + i} has ${text === null || text === undefined ? 'no' : `a non-string (${typeof text})`} value in column "${textColumn}"; every row needs text`);
      }
      yield {
        text,
        ...(hasAuthor && typeof row.author === 'string' ? { author: row.author } : {}),
        ...(hasTitle ? { title: typeof row.title === 'string' ? row.title : null } : {}),
        ...(hasLanguage && typeof row.language === 'string' ? { language: row.language } : {}),
        filePos: Math.round((file.byteLength * (rowStart + i + 1)) / Number(metadata.num_rows)),
      };
    }
    rowStart = rowEnd;
  }
}
