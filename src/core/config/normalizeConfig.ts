import { ConfigError } from '../errors/ConfigError.ts';
import { checkDataSources, expandDataList } from './dataSources.ts';
import { CONFIG_SPEC, type Config, type ConfigKey, type Spec, toCamel, toSnake } from './schema.ts';

/**
 * Turns a partial config (snake_case, kebab-case or camelCase keys) into a complete, frozen `Config`.
 * Throws a `ConfigError` naming the key, its source and the allowed values for anything unknown or
 * wrong. Strings that look like numbers or booleans are accepted for number and boolean keys, so the
 * same function serves YAML and command-line flags.
 */
export function normalizeConfig(partial: Readonly<Record<string, unknown>> = {}, source = 'config'): Config {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(CONFIG_SPEC) as [ConfigKey, Spec<unknown>][]) out[key] = spec.default;
  // a YAML `data:` list (a mixture) → the `data` and `data_sources` strings
  for (const [rawKey, raw] of Object.entries(expandDataList(partial, source))) {
    const key = toCamel(rawKey) as ConfigKey;
    const spec = CONFIG_SPEC[key] as Spec<unknown> | undefined;
    if (!spec) throw new ConfigError(`${source}: unknown key "${rawKey}"${suggest(rawKey)}. Run \`versiflow config --keys\` for the list.`);
    out[key] = coerce(raw, spec, `${source}: ${toSnake(key)}`);
  }
  checkDataSources(out as Config, source);
  return Object.freeze(out) as Config;
}

function coerce(raw: unknown, spec: Spec<unknown>, where: string): unknown {
  const d = spec.default;
  if (typeof d === 'number') {
    const v = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new ConfigError(`${where} must be a number, got ${JSON.stringify(raw)}`);
    if (spec.integer && !Number.isInteger(v)) throw new ConfigError(`${where} must be an integer, got ${v}`);
    if (spec.min !== undefined && v < spec.min) throw new ConfigError(`${where} must be ≥ ${spec.min}, got ${v}`);
    if (spec.max !== undefined && v > spec.max) throw new ConfigError(`${where} must be ≤ ${spec.max}, got ${v}`);
    return v;
  }
  if (typeof d === 'boolean') {
    if (typeof raw === 'boolean') return raw;
    if (raw === 'true' || raw === '1') return true;
    if (raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${where} must be true or false, got ${JSON.stringify(raw)}`);
  }
  if (typeof raw === 'number') raw = String(raw);
  if (raw === null) raw = '';
  if (typeof raw !== 'string') throw new ConfigError(`${where} must be a string, got ${JSON.stringify(raw)}`);
  if (spec.oneOf && !spec.oneOf.includes(raw)) throw new ConfigError(`${where} must be one of ${spec.oneOf.join(', ')}; got "${raw}"`);
  if (spec.listOf) {
    const bad = raw.split(',').map((x) => x.trim()).find((x) => !spec.listOf!.includes(x));
    if (bad !== undefined) throw new ConfigError(`${where} must be a comma list of ${spec.listOf.join(', ')}; got "${bad}" in "${raw}"`);
  }
  return raw;
}

function suggest(rawKey: string): string {
  const key = toSnake(toCamel(rawKey));
  let best = '';
  let bestD = 3; // suggest only close spellings
  for (const k of Object.keys(CONFIG_SPEC).map(toSnake)) {
    const d = editDistance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** The config as a plain object with snake_case keys, as written to YAML, state.json and run/start. */
export function configToSnake(config: Config): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [toSnake(k), v]));
}
