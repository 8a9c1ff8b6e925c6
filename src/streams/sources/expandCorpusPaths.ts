import { readdir, stat } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import { DataError } from '../../core/errors/DataError.ts';

/** File extensions the corpus readers understand, each with its reader in readCorpus.ts (.gz and .zst decompressed as they stream). */
export const CORPUS_EXTENSIONS: readonly string[] = ['.parquet', '.jsonl', '.txt', '.jsonl.gz', '.jsonl.zst', '.txt.gz', '.txt.zst'];

const supported = (f: string): boolean => CORPUS_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e));
const TRAIN_FILE = /^train[-_.]/i;
const VALIDATION_FILE = /^validation[-_.]/i;

/**
 * The files of a Hugging Face dataset's split layout held out for validation: `validation-*` files,
 * when the list also has `train-*` files (`data/train-00000-of-00002.parquet`,
 * `data/validation-00000-of-00001.parquet`). Positions in `files`; empty when the layout is not used.
 */
export function validationFiles(files: readonly string[]): Set<number> {
  const names = files.map((f) => basename(f));
  if (!names.some((n) => TRAIN_FILE.test(n))) return new Set();
  return new Set(names.flatMap((n, i) => (VALIDATION_FILE.test(n) ? [i] : [])));
}

/**
 * Turns a corpus spec into the ordered list of files to read.
 *
 * `spec` is one or more parts separated by commas (so file names cannot contain commas); each part is
 * - a file with a supported extension ({@link CORPUS_EXTENSIONS}),
 * - a directory: its supported files (not recursive, other files ignored), sorted by name; one with
 *   none that has a `data/` folder (a Hugging Face dataset) reads that folder's; where the files are
 *   named by split (`train-00000-of-00004.parquet`, `validation-…`, `test-…`), the train files and
 *   then the validation ones are read (test files are left out; see {@link validationFiles}),
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
    let dir = part;
    let names = await supportedFiles(full);
    if (names.length === 0 && (await stat(join(full, 'data')).catch(() => undefined))?.isDirectory()) {
      dir = join(part, 'data');
      names = await supportedFiles(join(full, 'data'));
    }
    if (names.length === 0) throw new DataError(`corpus directory "${part}" (${full}) holds no ${wanted} file (nor does its data/ folder)`);
    if (names.some((n) => TRAIN_FILE.test(n))) names = [...names.filter((n) => TRAIN_FILE.test(n)), ...names.filter((n) => VALIDATION_FILE.test(n))];
    return names.map((n) => join(dir, n));
  }
  if (!supported(part)) {
    throw new DataError(`corpus file "${part}" has an unsupported extension "${extname(part)}"; supported: ${CORPUS_EXTENSIONS.join(', ')}`);
  }
  return [part];
}

async function supportedFiles(dir: string): Promise<string[]> {
  return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isFile() && supported(d.name)).map((d) => d.name).sort();
}
