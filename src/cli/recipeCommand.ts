import { join } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { loadRecipe, recipeNames } from '../pipeline/recipes/loadRecipes.ts';
import { planRecipe } from '../pipeline/recipes/planRecipe.ts';
import type { RecipeScale } from '../pipeline/recipes/recipe.ts';
import { recipeContext, runRecipe } from '../pipeline/recipes/runRecipe.ts';
import { StageError } from '../pipeline/recipes/StageError.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const RECIPE_HELP = `versiflow recipe --list                                  the reference systems' pipelines, one line each
  versiflow recipe NAME --scale smoke|full [--data PATH --out DIR (runs/recipes/NAME-SCALE) --dry-run]
      one reference pipeline end to end (recipes/NAME.ts); prints the plan (stages, steps, tokens, expected time here and on an
      H200), then runs it; a stage whose outputs are complete is skipped, so running it again resumes; --dry-run: the plan only`;

/** `versiflow recipe`: list, plan and run the recipes in recipes/. */
export async function recipeCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags, positional } = parseStrict(args, { values: ['scale', 'data', 'out'], booleans: ['list', 'dry-run', 'help'], positionals: 1 });
    if (flags.help) {
      io.stdout.write(`${RECIPE_HELP}\n`);
      return 0;
    }
    if (flags.list) {
      for (const name of recipeNames()) {
        const r = await loadRecipe(name);
        if (!r.blocked) io.stdout.write(`${name.padEnd(22)} ${r.summary}\n`);
      }
      return 0;
    }
    const [name] = positional;
    if (!name) throw new UsageError('recipe: name a recipe (versiflow recipe --list) or pass --list');
    const scale = flags.scale ?? 'smoke';
    if (scale !== 'smoke' && scale !== 'full') throw new UsageError(`recipe: --scale is smoke or full, not "${scale}"`);
    const recipe = await loadRecipe(name);
    const options = { out: flags.out ?? join('runs', 'recipes', `${name}-${scale}`), scale: scale as RecipeScale, data: flags.data, io };
    io.stdout.write(`${planRecipe(recipe, recipeContext(options)).lines.join('\n')}\n`);
    if (flags['dry-run']) return 0;
    if (recipe.blocked) throw new ConfigError(`recipe ${name} cannot run yet: ${recipe.blocked}`);
    const outcomes = await runRecipe(recipe, options);
    const ran = outcomes.filter((o) => o.status === 'ran');
    io.stdout.write(`recipe ${name}: ${ran.length} stage(s) ran, ${outcomes.length - ran.length} skipped, ${ran.reduce((t, o) => t + o.seconds, 0).toFixed(1)} s; artifacts in ${recipeContext(options).out}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`recipe: ${e.message}\n${RECIPE_HELP}\n`);
      return 2;
    }
    if (e instanceof StageError) {
      io.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    return reportError(e, io);
  }
}
