import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { normalizeConfig } from '../core/config/normalizeConfig.ts';
import type { Config } from '../core/config/schema.ts';

/** The shipped configs/ folder. */
export const CONFIG_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../configs');

/** `tiny`, `75m.yaml` or a path → the YAML file to read. */
export function resolveConfigPath(nameOrPath: string): string {
  const candidates = [nameOrPath, `${nameOrPath}.yaml`, join(CONFIG_DIR, nameOrPath), join(CONFIG_DIR, `${nameOrPath}.yaml`)];
  const found = candidates.find((p) => existsSync(p) && !p.endsWith('/'));
  if (!found) throw new ConfigError(`config "${nameOrPath}" not found (looked in ./ and ${CONFIG_DIR})`);
  return found;
}

/** Reads a YAML config file (flat mapping of snake_case keys) into its raw key/value record. */
export function readConfigFile(path: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError(`${path}: expected a mapping of keys to values`);
  return doc as Record<string, unknown>;
}

/** Config file + overrides (flags win) → complete Config. Errors name the file or "command line". */
export function loadConfig(nameOrPath: string, overrides: Readonly<Record<string, unknown>> = {}): Config {
  const path = resolveConfigPath(nameOrPath);
  const fromFile = normalizeConfig(readConfigFile(path), path);
  normalizeConfig(overrides, 'command line');
  // --data on the command line replaces a file's mixture
  const dataOnly = ['data', 'dataSources', 'data_sources', 'data-sources'].filter((k) => k in overrides);
  const mixture = dataOnly.length === 1 && dataOnly[0] === 'data' && !Array.isArray(overrides.data) ? { dataSources: '' } : {};
  return normalizeConfig({ ...fromFile, ...mixture, ...overrides }, 'command line');
}
