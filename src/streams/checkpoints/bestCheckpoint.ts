import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';

/** The file `versiflow eval checkpoints` writes into a run directory (1gpu-llm's name). */
export const BEST_VALIDATION_FILE = 'best_validation.json';

/**
 * Whether a checkpoint spec means "the run's best checkpoint": the keyword `best`, or a path ending
 * in `/best` that does not exist itself (RUN/best).
 */
export function isBestSpec(spec: string): boolean {
  return spec === 'best' || (basename(spec) === 'best' && !existsSync(resolve(spec)));
}

/**
 * `best` (in `runDir`) or RUN/best → the checkpoint directory best_validation.json names (its `path`,
 * relative to the run directory or absolute).
 * @throws CheckpointError when the file is missing or unreadable, or the checkpoint it names is gone.
 */
export function bestCheckpointDir(spec: string, runDir: string): string {
  const run = spec === 'best' && resolve(runDir) !== resolve(spec) ? resolve(runDir) : dirname(resolve(spec));
  const file = join(run, BEST_VALIDATION_FILE);
  if (!existsSync(file)) throw new CheckpointError(`checkpoint ${spec}: ${file} does not exist; run \`versiflow eval checkpoints ${run}\` first to choose the best checkpoint`);
  let path: unknown;
  try {
    path = (JSON.parse(readFileSync(file, 'utf8')) as { path?: unknown }).path;
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof path !== 'string') throw new CheckpointError(`${file}: no "path" string naming the best checkpoint`);
  const dir = resolve(run, path);
  if (!existsSync(dir)) throw new CheckpointError(`${file} names ${dir}, which no longer exists (pruned by keep_checkpoints?); run \`versiflow eval checkpoints ${run}\` again`);
  return dir;
}
