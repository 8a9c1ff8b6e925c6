/**
 * What each bench needs before it can run, for `npm run bench -- NAME --check`: data files, configs,
 * scripts it spawns or bundles, packages it loads at run time. Every input a bench declares is
 * resolved and verified (a Parquet file's footer is read, a config is parsed, a package is resolved
 * as Node resolves it, from the lockfile's install); files and configs must lie inside the repository,
 * so a bench that reaches outside a clone fails its check. Optional inputs (a system python3, the optional `webgpu` package)
 * are reported, found or not, and never fail the check.
 *
 * BENCH_DATA_DIR points the benches that read the shipped corpus (tokenizer, token-cache, padding) at
 * another folder of the same Parquet files; default `data/` of this repository.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import { loadConfig, resolveConfigPath } from '../src/pipeline/loadConfig.ts';

/** The repository root (bench/..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The folder of the shipped corpus the benches read: BENCH_DATA_DIR, else `data/` of the repository. */
export function benchDataDir(): string {
  const dir = process.env.BENCH_DATA_DIR;
  return dir ? resolve(dir) : join(REPO_ROOT, 'data');
}

export interface BenchInput {
  /** data, config, script, module, binary or tool: printed in front of the path. */
  readonly kind: 'data' | 'config' | 'script' | 'module' | 'binary' | 'tool';
  /** What is checked: a file path, a config name or path, or a package specifier. */
  readonly path: string;
  /** Why the bench needs it (printed). */
  readonly why: string;
  /** Absent is reported and allowed (things outside the repository the bench can do without). */
  readonly optional?: boolean;
  /** May lie outside the repository (a path the user chose, e.g. through BENCH_DATA_DIR). */
  readonly external?: boolean;
  /**
   * Resolves and verifies the input; returns what was found (one line: a resolved path, a row
   * count). Throws when it is missing or unusable. Default: the file exists and is not empty.
   */
  readonly verify?: () => string | Promise<string>;
}

export interface InputReport {
  readonly found: string[];
  readonly missing: string[];
}

const inRepo = (p: string): boolean => p === REPO_ROOT || p.startsWith(REPO_ROOT + sep);
const shown = (p: string): string => (isAbsolute(p) && inRepo(p) ? relative(REPO_ROOT, p) : p);

/** Throws unless `path` lies in the repository; returns it as shown (relative to the root). */
function inRepository(path: string): string {
  const abs = resolve(path);
  if (!inRepo(abs)) throw new Error(`resolves outside the repository (${REPO_ROOT}): ${abs}`);
  return shown(abs);
}

/** A file that must exist and be non-empty; returns its size. */
function fileSize(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  const st = statSync(path);
  if (!st.isFile()) throw new Error(`${path} is not a file`);
  if (st.size === 0) throw new Error(`${path} is empty`);
  return `${st.size.toLocaleString('en-US')} bytes`;
}

/** A file of the repository, by its path from the root (`bench/torch_train_ref.py`). */
export function repoFile(kind: BenchInput['kind'], rel: string, why: string): BenchInput {
  const path = join(REPO_ROOT, rel);
  return { kind, path, why, verify: () => fileSize(path) };
}

/** A Parquet file of the shipped corpus (under {@link benchDataDir}): its footer is read for the row count. */
export function corpusFile(name: string, why: string): BenchInput {
  const path = join(benchDataDir(), name);
  return {
    kind: 'data',
    path,
    why,
    external: !!process.env.BENCH_DATA_DIR,
    verify: async () => {
      fileSize(path);
      const meta = await parquetMetadataAsync(await asyncBufferFromFile(path));
      return `${Number(meta.num_rows).toLocaleString('en-US')} rows, columns ${meta.schema.slice(1).map((s) => s.name).join(', ')}`;
    },
  };
}

/** A config as the bench names it (`75m`, `configs/75m.yaml`): resolved as loadConfig does, then parsed and validated. */
export function configInput(nameOrPath: string, why: string): BenchInput {
  return {
    kind: 'config',
    path: nameOrPath,
    why,
    verify: () => {
      const file = inRepository(resolveConfigPath(nameOrPath));
      const cfg = loadConfig(nameOrPath);
      return `${file} (${cfg.layers} layers × ${cfg.hidden}, context ${cfg.context})`;
    },
  };
}

/** A package resolved from the repository as Node resolves it (import.meta.resolve; wherever npm installed it). */
export function packageInput(specifier: string, why: string, optional = false): BenchInput {
  return {
    kind: 'module',
    path: specifier,
    why,
    optional,
    verify: () => {
      const file = fileURLToPath(import.meta.resolve(specifier));
      if (!existsSync(file)) throw new Error(`${specifier} resolves to ${file}, which does not exist`);
      return shown(file);
    },
  };
}

/** tfjs's wasm binaries, which the wasm backend loads from next to its own dist/ files. */
export function wasmBinaries(why: string, files = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']): BenchInput[] {
  const dist = () => dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm')));
  return files.map((f) => ({
    kind: 'binary' as const,
    path: `@tensorflow/tfjs-backend-wasm/dist/${f}`,
    why,
    verify: () => {
      const p = join(dist(), f);
      return `${shown(p)}, ${fileSize(p)}`;
    },
  }));
}

/** A program outside the repository the bench uses when present (python3, xz): never fails the check. */
export function systemTool(path: string, why: string): BenchInput {
  return {
    kind: 'tool',
    path,
    why,
    optional: true,
    external: true,
    verify: () => {
      if (isAbsolute(path)) return (fileSize(path), path);
      const dir = (process.env.PATH ?? '').split(':').find((d) => d && existsSync(join(d, path)));
      if (!dir) throw new Error(`${path} not on PATH`);
      return join(dir, path);
    },
  };
}

/**
 * Resolves and verifies each input. A required input that is missing or unusable, or that lies
 * outside the repository without being marked external, goes to `missing`; an optional one that is
 * absent is listed in `found` as not found.
 */
export async function checkInputs(inputs: readonly BenchInput[]): Promise<InputReport> {
  const found: string[] = [];
  const missing: string[] = [];
  for (const input of inputs) {
    const label = `${input.kind.padEnd(6)} ${shown(input.path)}`;
    try {
      if (isAbsolute(input.path) && !input.external) inRepository(input.path);
      const what = await (input.verify ?? (() => fileSize(input.path)))();
      found.push(`${label}: ${what} (${input.why})`);
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      if (input.optional) found.push(`${label}: not found, optional (${input.why}; ${reason})`);
      else missing.push(`${label}: ${reason} (${input.why})`);
    }
  }
  return { found, missing };
}
