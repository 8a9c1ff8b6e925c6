import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { extname } from 'node:path';
import { codecOf, withoutCodec } from '../../streams/sources/decodedStream.ts';

/**
 * One worker's share of a corpus: lines of a JSONL file starting in bytes [start, end), row groups
 * [first, end) of a Parquet file, or a whole file (compressed streams cannot be entered midway; a
 * .txt is one document). `file` is the file's position in the expanded list, `bytes` its share of the
 * corpus on disk (for progress), `label` the name errors use.
 */
export type TokenizeUnit =
  | { readonly kind: 'jsonl'; readonly file: number; readonly path: string; readonly label: string; readonly bytes: number; readonly start: number; readonly end: number }
  | { readonly kind: 'parquet'; readonly file: number; readonly path: string; readonly label: string; readonly bytes: number; readonly groups: readonly [number, number] }
  | { readonly kind: 'file'; readonly file: number; readonly path: string; readonly label: string; readonly bytes: number };

/**
 * Cuts the corpus files (absolute path, label, size; in read order) into units of about `unitBytes`
 * on disk: byte ranges of plain JSONL, runs of row groups of Parquet, whole files otherwise. Reading
 * the units in order reads the corpus in order. Opens only Parquet footers.
 */
export async function planTokenizeUnits(files: readonly { readonly path: string; readonly label: string; readonly size: number }[], unitBytes: number): Promise<TokenizeUnit[]> {
  const units: TokenizeUnit[] = [];
  for (let file = 0; file < files.length; file++) {
    const { path, label, size } = files[file];
    const ext = extname(withoutCodec(path)).toLowerCase();
    const pieces = Math.max(1, Math.ceil(size / unitBytes));
    if (ext === '.jsonl' && codecOf(path) === 'none' && pieces > 1) {
      for (let k = 0; k < pieces; k++) {
        const start = Math.floor((size * k) / pieces);
        const end = Math.floor((size * (k + 1)) / pieces);
        units.push({ kind: 'jsonl', file, path, label, bytes: end - start, start, end });
      }
    } else if (ext === '.parquet' && pieces > 1) {
      const groups = (await parquetMetadataAsync(await asyncBufferFromFile(path))).row_groups.length;
      const n = Math.min(pieces, groups);
      for (let k = 0; k < n; k++) {
        const g0 = Math.floor((groups * k) / n);
        const g1 = Math.floor((groups * (k + 1)) / n);
        units.push({ kind: 'parquet', file, path, label, bytes: Math.round((size * (g1 - g0)) / groups), groups: [g0, g1] });
      }
    } else {
      units.push({ kind: 'file', file, path, label, bytes: size });
    }
  }
  return units;
}
