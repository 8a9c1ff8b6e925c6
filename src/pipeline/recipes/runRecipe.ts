import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StageError } from './StageError.ts';
import type { Recipe, RecipeContext, RecipeIO, RecipeScale } from './recipe.ts';

export interface RunRecipeOptions {
  readonly out: string;
  readonly scale: RecipeScale;
  readonly data?: string;
  readonly io: RecipeIO;
  readonly now?: () => number;
}

export interface StageOutcome {
  readonly stage: string;
  readonly status: 'ran' | 'skipped';
  readonly seconds: number;
}

/** The marker a finished stage leaves: OUT/.recipe/STAGE.json with its outputs' sizes. */
export const stageMarker = (out: string, stage: string): string => join(out, '.recipe', `${stage}.json`);

export function recipeContext(o: RunRecipeOptions): RecipeContext {
  const out = resolve(o.out);
  return { out, scale: o.scale, data: o.data, io: o.io, path: (rel) => join(out, rel) };
}

const sizeOf = (p: string): number => {
  const s = statSync(p);
  return s.isDirectory() ? -1 : s.size;
};

/**
 * A stage is complete when it left its marker (written only after it returned) and every output it names
 * still exists with the size it had then; an interrupted stage left no marker and runs again.
 */
export function stageComplete(ctx: RecipeContext, stage: { name: string; outputs: readonly string[] }): boolean {
  const marker = stageMarker(ctx.out, stage.name);
  if (!existsSync(marker)) return false;
  const sizes = (JSON.parse(readFileSync(marker, 'utf8')) as { outputs: Record<string, number> }).outputs;
  return stage.outputs.every((o) => existsSync(ctx.path(o)) && sizes[o] === sizeOf(ctx.path(o)));
}

/**
 * Runs a recipe's stages in order. A complete stage (see stageComplete) is skipped, so a second run
 * after a failure or a stop resumes at the first unfinished stage. A stage that returns without
 * writing one of its outputs is an error naming them.
 */
export async function runRecipe(recipe: Recipe, o: RunRecipeOptions): Promise<StageOutcome[]> {
  const now = o.now ?? Date.now;
  const ctx = recipeContext(o);
  mkdirSync(join(ctx.out, '.recipe'), { recursive: true });
  const outcomes: StageOutcome[] = [];
  const stages = recipe.stages(ctx);
  for (const [i, stage] of stages.entries()) {
    const label = `[${recipe.name} ${i + 1}/${stages.length}] ${stage.name}`;
    if (stageComplete(ctx, stage)) {
      o.io.stdout.write(`${label}: done already (${stage.outputs.join(', ')}), skipped\n`);
      outcomes.push({ stage: stage.name, status: 'skipped', seconds: 0 });
      continue;
    }
    o.io.stdout.write(`${label}: ${stage.does}\n`);
    const t0 = now();
    // the top folder of each output, no deeper: a half-made checkpoint folder would look like a checkpoint to resume
    for (const f of stage.outputs) if (dirname(f) !== '.') mkdirSync(ctx.path(f.split(/[\\/]/)[0]), { recursive: true });
    try {
      await stage.run(ctx);
    } catch (e) {
      throw new StageError(recipe.name, stage.name, e);
    }
    const missing = stage.outputs.filter((f) => !existsSync(ctx.path(f)));
    if (missing.length > 0) throw new StageError(recipe.name, stage.name, new Error(`it finished without writing ${missing.join(', ')} under ${ctx.out}`));
    const seconds = (now() - t0) / 1000;
    writeFileSync(stageMarker(ctx.out, stage.name), JSON.stringify({ stage: stage.name, seconds, outputs: Object.fromEntries(stage.outputs.map((f) => [f, sizeOf(ctx.path(f))])) }, null, 2));
    o.io.stdout.write(`${label}: done in ${seconds.toFixed(1)} s\n`);
    outcomes.push({ stage: stage.name, status: 'ran', seconds });
  }
  return outcomes;
}
