import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { CorpusFingerprint } from '../../model/formats/tokenCacheFormat.ts';
import { expandCorpusPaths } from '../sources/expandCorpusPaths.ts';

export interface FingerprintOptions {
  readonly textColumn: string;
  readonly normalize: string;
  readonly maxDocs: number;
  /** Directory that relative paths and globs resolve against. @default process.cwd() */
  readonly cwd?: string;
}

/**
 * The fingerprint of a corpus spec as it would be read now: its files (expanded as readCorpus does,
 * made absolute) with their sizes and mtimes, plus the reading options that change the tokens.
 * Costs one stat per file; reads no content, so an edit that keeps both size and mtime is not seen.
 *
 * @throws DataError when the spec names nothing readable (see expandCorpusPaths).
 */
export async function corpusFingerprint(spec: string, opts: FingerprintOptions): Promise<CorpusFingerprint> {
  const cwd = opts.cwd ?? process.cwd();
  const files = [];
  for (const p of await expandCorpusPaths(spec, cwd)) {
    const path = resolve(cwd, p);
    const st = await stat(path);
    files.push({ path, size: st.size, mtimeMs: st.mtimeMs });
  }
  return { files, textColumn: opts.textColumn, normalize: opts.normalize, maxDocs: opts.maxDocs };
}
