/** A checkpoint on disk as pruning sees it. */
export interface KeptCheckpoint {
  readonly dir: string;
  readonly step: number;
  /** Validation loss measured at its step; null when none was. */
  readonly valLoss: number | null;
}

/**
 * Which checkpoints to delete: all but the newest `keepLast` and the `keepBest` lowest by validation
 * loss (ties: the newer); 0 for keepLast keeps everything. `protect` (the one just written) is never
 * deleted.
 */
export function checkpointsToDelete(all: readonly KeptCheckpoint[], keepLast: number, keepBest: number, protect?: string): string[] {
  if (keepLast <= 0) return [];
  const byStep = [...all].sort((a, b) => a.step - b.step);
  const keep = new Set(byStep.slice(-keepLast).map((c) => c.dir));
  const scored = byStep.filter((c) => c.valLoss !== null && Number.isFinite(c.valLoss));
  scored.sort((a, b) => a.valLoss! - b.valLoss! || b.step - a.step);
  for (const c of scored.slice(0, keepBest)) keep.add(c.dir);
  if (protect) keep.add(protect);
  return byStep.filter((c) => !keep.has(c.dir)).map((c) => c.dir);
}
