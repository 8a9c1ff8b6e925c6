import { ConfigError } from '../core/errors/ConfigError.ts';
import type { GenerateOptions } from '../model/nn/generate.ts';
import { resolveSampleOptions } from '../model/nn/sample.ts';
import { keyedScheme } from '../model/watermark/keyed.ts';
import { lefthashScheme } from '../model/watermark/lefthash.ts';
import { poetruScheme } from '../model/watermark/poetru.ts';
import type { WatermarkScheme } from '../model/watermark/scheme.ts';

/** Flags shared by `generate`, `chat` and `serve` that map onto GenerateOptions. */
export const GENERATION_FLAGS = [
  'max-new-tokens', 'temperature', 'top-k', 'top-p', 'repetition-penalty', 'no-repeat-ngram', 'min-new-tokens', 'stop', 'seed', 'watermark', 'watermark-key', 'cache',
] as const;

export const WATERMARK_SCHEMES = ['poetru', 'keyed', 'lefthash'] as const;

/** A number flag, or `fallback` when absent; ConfigError naming the flag when it is not a number. */
export function numberFlag(flags: Record<string, string>, name: string, fallback: number, where: string): number {
  const raw = flags[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`${where}: --${name} must be a number, got "${raw}"`);
  return v;
}

/** `\n`, `\t` and `\\` in a command-line string become the characters (so `--stop '\n\n'` works in a shell). */
export function unescape(s: string): string {
  return s.replace(/\\(n|t|\\)/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/**
 * The green-list scheme named by `--watermark`, or undefined when off. keyed needs a key
 * (`--watermark-key`); δ = 2, γ = 0.25 unless given.
 */
export function watermarkScheme(name: string | undefined, vocabSize: number, key: string | undefined, where: string, gamma?: number, keyFlag = 'watermark-key'): WatermarkScheme | undefined {
  if (name === undefined || name === 'off' || name === 'false') return undefined;
  if (name === 'poetru') return poetruScheme({ vocabSize, gamma });
  if (name === 'lefthash') return lefthashScheme({ vocabSize, gamma });
  if (name === 'keyed') {
    if (!key) throw new ConfigError(`${where}: --watermark keyed needs --${keyFlag} K (the secret that detection will need too)`);
    return keyedScheme({ vocabSize, key, gamma });
  }
  throw new ConfigError(`${where}: --watermark must be one of ${WATERMARK_SCHEMES.join(', ')}; got "${name}"`);
}

/**
 * GenerateOptions from the generation flags (defaults: 200 tokens, temperature 0.8, top-k 40,
 * seed 1337, cache on). Validates through resolveSampleOptions so a bad value names its flag.
 * `all` (parseArgs) carries every `--stop` when it is given more than once.
 */
export function generationOptions(flags: Record<string, string>, vocabSize: number, where: string, all: Readonly<Record<string, string[]>> = {}): GenerateOptions {
  const num = (name: string, fallback: number) => numberFlag(flags, name, fallback, where);
  const opts: GenerateOptions = {
    maxNewTokens: num('max-new-tokens', 200),
    temperature: num('temperature', 0.8),
    topK: num('top-k', 40),
    topP: num('top-p', 1),
    repetitionPenalty: num('repetition-penalty', 1),
    noRepeatNgramSize: num('no-repeat-ngram', 0),
    minNewTokens: num('min-new-tokens', 0),
    seed: num('seed', 1337),
    stop: (all.stop ?? (flags.stop !== undefined ? [flags.stop] : [])).map(unescape),
    cache: flags.cache !== 'false',
    watermark: watermarkScheme(flags.watermark, vocabSize, flags['watermark-key'], where),
  };
  if (!Number.isInteger(opts.maxNewTokens) || opts.maxNewTokens < 0) throw new ConfigError(`${where}: --max-new-tokens must be an integer ≥ 0, got ${opts.maxNewTokens}`);
  try {
    resolveSampleOptions(opts);
  } catch (e) {
    throw new ConfigError(`${where}: ${(e as Error).message} (flags --temperature --top-k --top-p --repetition-penalty --no-repeat-ngram --min-new-tokens)`);
  }
  return opts;
}
