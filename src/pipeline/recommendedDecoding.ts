import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { DataError } from '../core/errors/DataError.ts';
import { bestCheckpointDir, isBestSpec } from '../streams/checkpoints/bestCheckpoint.ts';

/** The file `versiflow eval sweep` writes and generate, chat and serve read as their decoding defaults. */
export const RECOMMENDED_DECODING_FILE = 'recommended_decoding.json';

/** The decoding fields of recommended_decoding.json (Hugging Face's names). */
export interface RecommendedDecoding {
  readonly temperature: number;
  readonly top_k: number;
  readonly top_p: number;
  readonly repetition_penalty: number;
  readonly no_repeat_ngram_size: number;
}

const FIELDS = ['temperature', 'top_k', 'top_p', 'repetition_penalty', 'no_repeat_ngram_size'] as const;

/**
 * Where a checkpoint spec's recommended_decoding.json is: beside the checkpoint, else in its run
 * directory (runs/x/checkpoints/step-N → runs/x); for a run directory (or RUN/best), in that run.
 * Null when there is none. Reads nothing but file names.
 */
export function recommendedDecodingPath(spec: string): string | null {
  const p = isBestSpec(spec) ? bestCheckpointDir(spec, spec) : resolve(spec);
  const isCheckpoint = existsSync(join(p, 'state.json'));
  const dirs = isCheckpoint ? [p, ...(basename(dirname(p)) === 'checkpoints' ? [dirname(dirname(p))] : [])] : [p];
  return dirs.map((d) => join(d, RECOMMENDED_DECODING_FILE)).find((f) => existsSync(f)) ?? null;
}

/** Reads and checks a recommended_decoding.json. @throws DataError naming the file and the bad field. */
export function readRecommendedDecoding(file: string): RecommendedDecoding {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  for (const f of FIELDS) if (typeof doc[f] !== 'number' || !Number.isFinite(doc[f])) throw new DataError(`${file}: "${f}" must be a number (got ${JSON.stringify(doc[f])}); rerun versiflow eval sweep or delete the file`);
  return Object.fromEntries(FIELDS.map((f) => [f, doc[f]])) as unknown as RecommendedDecoding;
}
