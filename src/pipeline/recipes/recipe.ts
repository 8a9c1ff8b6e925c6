/**
 * A recipe: one reference system's pipeline as named stages, each writing its outputs under one output
 * directory. recipes/*.ts define them (composition roots, like src/pipeline); runRecipe runs them,
 * skipping a stage whose outputs are complete; planRecipe prints what the full scale costs.
 */

export type RecipeScale = 'smoke' | 'full';

/** Where a recipe writes its stage logs and command output (a CliIO shape; pipeline does not import cli). */
export interface RecipeIO {
  readonly stdout: { write(s: string): unknown };
  readonly stderr: { write(s: string): unknown };
}

export interface RecipeContext {
  /** The output directory; every stage's inputs and outputs are paths under it. */
  readonly out: string;
  readonly scale: RecipeScale;
  /** `--data`: the corpus to use instead of the recipe's shipped stand-in (undefined = the recipe's). */
  readonly data?: string;
  readonly io: RecipeIO;
  /** out-relative path → absolute path. */
  path(rel: string): string;
}

/** A training stage's size for the plan: the config and flags it trains with. */
export interface TrainingPlan {
  /** A config name in configs/ or a YAML path. */
  readonly config: string;
  /** Config keys as CLI flags (kebab-case, without --), applied over the config. */
  readonly flags: Readonly<Record<string, string>>;
  /** For a char tokenizer with vocab_size 0: the vocabulary the plan assumes. */
  readonly vocabGuess?: number;
  /** Where the model's shape comes from when the run takes it from init_from (a preference run's config has none). */
  readonly architecture?: string;
}

export interface RecipeStage {
  readonly name: string;
  /** One line: what the stage does. */
  readonly does: string;
  /** out-relative files (or directories) that exist when the stage is done. */
  readonly outputs: readonly string[];
  readonly training?: TrainingPlan;
  run(ctx: RecipeContext): Promise<void>;
}

export interface Recipe {
  readonly name: string;
  /** One line for `versiflow recipe --list`. */
  readonly summary: string;
  /** The reference's published figures (from its config comments and the issue), one short line. */
  readonly published: string;
  /**
   * Set while a stage's part does not exist yet: what is missing. `versiflow recipe --list` leaves the
   * recipe out and running it is refused with this reason (--dry-run still prints its plan).
   */
  readonly blocked?: string;
  stages(ctx: RecipeContext): readonly RecipeStage[];
}

/** Identity, for type inference in recipes/*.ts. */
export function defineRecipe(recipe: Recipe): Recipe {
  return recipe;
}
