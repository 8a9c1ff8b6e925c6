import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { Recipe } from './recipe.ts';

/** The shipped recipes/ folder (TypeScript files, one per reference system; `_*.ts` are shared helpers). */
export const RECIPE_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../recipes');

/** Recipe names: the recipes/*.ts files, without helpers (`_*`), sorted. */
export function recipeNames(dir = RECIPE_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_') && !f.endsWith('.d.ts'))
    .map((f) => f.slice(0, -3))
    .sort();
}

/**
 * Imports recipes/NAME.ts (its default export). Recipes are TypeScript: under the dev entry and the tests
 * tsx loads them; from the built CLI on Node 20 tsx (a dev dependency) is registered first.
 */
export async function loadRecipe(name: string, dir = RECIPE_DIR): Promise<Recipe> {
  const names = recipeNames(dir);
  if (!names.includes(name)) throw new ConfigError(`recipe "${name}" not found in ${dir}; known: ${names.join(', ') || '(none)'} (versiflow recipe --list)`);
  const url = pathToFileURL(join(dir, `${name}.ts`)).href;
  let mod: { default?: Recipe };
  try {
    mod = await import(url);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw e;
    const api = 'tsx/esm/api';
    const tsx = (await import(api).catch(() => undefined)) as { register(): void } | undefined;
    if (!tsx) throw new ConfigError(`recipe ${name}: recipes are TypeScript and this Node cannot load .ts files; install tsx (npm install -D tsx) or run npm run dev -- recipe ${name}`);
    tsx.register();
    mod = await import(url);
  }
  if (!mod.default || typeof mod.default.stages !== 'function') throw new ConfigError(`recipe ${name}: ${url} has no default export made with defineRecipe`);
  return mod.default;
}
