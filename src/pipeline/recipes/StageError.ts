/** A recipe stage that failed: names the recipe, the stage, the cause, and that a rerun resumes there. */
export class StageError extends Error {
  override readonly name = 'StageError';
  constructor(
    readonly recipe: string,
    readonly stage: string,
    cause: unknown,
  ) {
    super(`recipe ${recipe}: stage ${stage} failed: ${(cause as Error)?.message ?? String(cause)}; fix it and run the same command again: finished stages are skipped`, { cause });
  }
}
