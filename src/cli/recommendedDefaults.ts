import { readRecommendedDecoding, recommendedDecodingPath } from '../pipeline/recommendedDecoding.ts';
import type { CliIO } from './io.ts';

/**
 * The generation flags with the checkpoint's recommended_decoding.json (`versiflow eval sweep`) as
 * defaults: explicit flags win. Says on stderr which file was used. No file: the flags unchanged.
 */
export function withRecommendedDecoding(flags: Record<string, string>, checkpoint: string | undefined, io: Pick<CliIO, 'stderr'>): Record<string, string> {
  const file = checkpoint ? recommendedDecodingPath(checkpoint) : null;
  if (!file) return flags;
  const d = readRecommendedDecoding(file);
  const defaults: Record<string, string> = {
    temperature: String(d.temperature),
    'top-k': String(d.top_k),
    'top-p': String(d.top_p),
    'repetition-penalty': String(d.repetition_penalty),
    'no-repeat-ngram': String(d.no_repeat_ngram_size),
  };
  const used = Object.keys(defaults).filter((k) => flags[k] === undefined);
  io.stderr.write(`decoding defaults from ${file}: ${used.length ? used.map((k) => `--${k} ${defaults[k]}`).join(' ') : 'none (every setting given as a flag)'}\n`);
  return { ...defaults, ...flags };
}
