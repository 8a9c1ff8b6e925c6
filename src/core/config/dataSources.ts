import { ConfigError } from '../errors/ConfigError.ts';

/** One source of a data mixture: a corpus spec (file, directory, glob), its sampling weight and its name. */
export interface DataSource {
  readonly name: string;
  readonly path: string;
  readonly weight: number;
}

/** Source names become metric names (`val_loss_<name>`, CSV columns, Prometheus labels). */
const NAME = /^[A-Za-z0-9_]+$/;

/** `data/en_poetry.parquet` → `en_poetry`; anything outside [A-Za-z0-9_] becomes `_`. */
export function defaultSourceName(path: string): string {
  const base = path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? path;
  return base.replace(/\.(parquet|jsonl|txt)(\.(gz|zst))?$/i, '').replace(/[^A-Za-z0-9_]/g, '_') || 'source';
}

/**
 * A YAML `data:` list — entries `{path, weight, name}` (weight defaults to 1, name to the file's
 * stem) or plain path strings — as the two string keys the config keeps: `data`, every source's path
 * joined by commas (what the tokenizer, the corpus digest and `data` readers see), and `data_sources`,
 * the canonical JSON list. A string `data:` is returned as is. Names must be unique and of
 * [A-Za-z0-9_], weights finite and > 0; each error names the entry.
 */
export function expandDataList(partial: Readonly<Record<string, unknown>>, source: string): Readonly<Record<string, unknown>> {
  const key = Object.keys(partial).find((k) => k === 'data');
  if (!key || !Array.isArray(partial[key])) return partial;
  const list = partial[key] as unknown[];
  const sources = parseSourceList(list, `${source}: data`);
  const { data: _data, ...rest } = partial;
  return { ...rest, data: sources.map((s) => s.path).join(','), data_sources: JSON.stringify(sources) };
}

function parseSourceList(list: readonly unknown[], where: string): DataSource[] {
  if (list.length === 0) throw new ConfigError(`${where}: an empty list; give one or more {path, weight, name} entries`);
  const out: DataSource[] = [];
  list.forEach((raw, i) => {
    const at = `${where}[${i}]`;
    const entry = typeof raw === 'string' ? { path: raw } : raw;
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new ConfigError(`${at}: expected a path or a mapping {path, weight, name}, got ${JSON.stringify(raw)}`);
    const e = entry as Record<string, unknown>;
    const unknown = Object.keys(e).filter((k) => !['path', 'weight', 'name'].includes(k));
    if (unknown.length) throw new ConfigError(`${at}: unknown key ${unknown.map((k) => `"${k}"`).join(', ')}; an entry has path, weight and name`);
    if (typeof e.path !== 'string' || e.path.trim() === '') throw new ConfigError(`${at}: path must be a non-empty string (a file, directory or glob), got ${JSON.stringify(e.path)}`);
    if (e.path.includes(',')) throw new ConfigError(`${at}: path "${e.path}" has a comma; give each file as its own entry or use a glob`);
    const weight = e.weight === undefined ? 1 : typeof e.weight === 'string' ? Number(e.weight) : e.weight;
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) throw new ConfigError(`${at} (${e.path}): weight must be a number > 0, got ${JSON.stringify(e.weight)}`);
    const name = e.name === undefined ? defaultSourceName(e.path) : e.name;
    if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigError(`${at} (${e.path}): name must be letters, digits or _ (it becomes val_loss_<name>), got ${JSON.stringify(e.name)}`);
    const clash = out.findIndex((s) => s.name === name);
    if (clash >= 0) throw new ConfigError(`${at} (${e.path}): name "${name}" is also entry ${clash}'s (${out[clash].path}); names must be unique — set name: on one of them`);
    out.push({ name, path: e.path.trim(), weight });
  });
  return out;
}

/**
 * The mixture of a config: its `data_sources` list (set from a YAML `data:` list), or [] for a plain
 * single corpus. Validated again here, since `--data-sources` may come from the command line.
 */
export function dataSourcesOf(cfg: { readonly dataSources: string; readonly data: string }, where = 'data_sources'): readonly DataSource[] {
  if (cfg.dataSources.trim() === '') return [];
  let list: unknown;
  try {
    list = JSON.parse(cfg.dataSources);
  } catch (e) {
    throw new ConfigError(`${where}: not a JSON list of {path, weight, name} (${(e as Error).message}); write data: as a YAML list instead`);
  }
  if (!Array.isArray(list)) throw new ConfigError(`${where}: expected a JSON list of {path, weight, name}`);
  return parseSourceList(list, where);
}

/** `data_sources` must list the paths `data` holds (a `--data` flag replaces a mixture: see loadConfig). */
export function checkDataSources(cfg: { readonly dataSources: string; readonly data: string }, source: string): void {
  const sources = dataSourcesOf(cfg, `${source}: data_sources`);
  if (sources.length === 0) return;
  const joined = sources.map((s) => s.path).join(',');
  if (cfg.data !== joined) throw new ConfigError(`${source}: data "${cfg.data}" is not the mixture's paths "${joined}"; give data: as a list, or set data_sources to '' for a single corpus`);
}
