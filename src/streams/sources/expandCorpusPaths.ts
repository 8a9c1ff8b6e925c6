import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { DataError } from '../../core/errors/DataError.ts';

/** File extensions the corpus readers understand, each with its reader in readCorpus.ts. */
export const CORPUS_EXTENSIONS: readonly string[] = ['.parquet', '.jsonl', '.txt'];

/**
 * Turns a corpus spec into the ordered list of files to read.
 *
 * `spec` is one or more parts separated by commas (so file names cannot contain commas); each part is
 * - a file with a supported extension ({@link CORPUS_EXTENSIONS}),
 * - a directory: its supported files (not recursive, other files ignored), sorted by name,
 * - a glob (tinyglobby syntax, e.g. `data/*.parquet`, `shards/**\/*.jsonl`): its supported matches, sorted.
 *
 * Parts keep their order and are not de-duplicated. Relative parts resolve against `cwd`; the
 * returned paths keep the form they were given in (relative stays relative to `cwd`), so they can
 * be shown to users and stored in checkpoints.
 *
 * @throws DataError for an empty spec, a missing path, a directory or glob without supported files,
 *   or a file with an unsupported extension; the message names the part and `cwd`.
 */
export async function expandCorpusPaths(spec: string, cwd: string = process.cwd()): Promise<string[]> {
  const parts = spec.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new DataError(`corpus spec "${spec}" names no file, directory or glob`);
  const files: string[] = [];
  for (const part of parts) files.push(...(await expandPart(part, cwd)));
  return files;
}

async function expandPart(part: string, cwd: string): Promise<string[]> {
  const supported = (f: string) => CORPUS_EXTENSIONS.includes(extname(f).toLowerCase());
  const wanted = CORPUS_EXTENSIONS.map((e) => `*${e}`).join(', ');

  if (isDynamicPattern(part)) {
    const matches = await glob(part, { cwd, absolute: isAbsolute(part), onlyFiles: true, expandDirectories: false });
    const files = matches.filter(supported).sort();
    if (files.length === 0) {
      const also = matches.length > 0 ? ` (it matched ${matches.length} file(s), none of them ${wanted})` : '';
      throw new DataError(`corpus glob "${part}" matched no ${wanted} file under ${cwd}${also}; check the pattern`);
    }
    return files;
  }

  const full = resolve(cwd, part);
  const st = await stat(full).catch(() => undefined);
  if (!st) throw new DataError(`corpus path "${part}" does not exist (resolved to ${full}); check the path or the working directory`);
  if (st.isDirectory()) {
    const names = (await readdir(full, { withFileTypes: true })).filter((d) => d.isFile() && supported(d.name)).map((d) => d.name).sort();
    if (names.length === 0) throw new DataError(`corpus directory "${part}" (${full}) holds no ${wanted} file`);
    return names.map((n) => join(part, n));
  }
  if (!supported(part)) {
    throw new DataError(`corpus file "${part}" has an unsupported extension "${extname(part)}"; supported: ${CORPUS_EXTENSIONS.join(', ')}`);
  }
  return [part];
}
