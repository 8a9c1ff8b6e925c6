import { readFile } from 'node:fs/promises';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { tokenizerFromJSON } from '../model/tokenizer/loadTokenizer.ts';
import { detectWatermark } from '../model/watermark/detect.ts';
import { numberFlag, watermarkScheme } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

const KNOWN = ['scheme', 'vocab-size', 'ids-file', 'text-file', 'tokenizer', 'key', 'gamma', 'threshold', 'prompt-length'];

export const WATERMARK_HELP = `versiflow watermark detect --scheme poetru|keyed|lefthash --vocab-size N (--ids-file F | --text-file F --tokenizer T)
    [--key K --gamma 0.25 --threshold 4 --prompt-length 0]
  ids file: JSONL, an "ids" array per line (optional "prompt_length"); text file: JSONL with "text", or plain lines.
  Prints one JSON object per input line: {"z","K","T","p","watermarked"}.`;

/**
 * `versiflow watermark detect ...`: scores each line of an ids or text file for a green-list
 * watermark and prints {"z","K","T","p","watermarked"} per line (K green of T scored, one-sided p).
 */
export async function watermarkCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args);
    if (positional[0] !== 'detect') throw new ConfigError(`watermark: expected the subcommand "detect"; usage:\n${WATERMARK_HELP}`);
    rejectUnknownFlags(flags, KNOWN, 'watermark detect');
    const where = 'watermark detect';
    if (!flags.scheme) throw new ConfigError(`${where}: --scheme poetru|keyed|lefthash is required`);
    const vocabSize = numberFlag(flags, 'vocab-size', NaN, where);
    if (!Number.isInteger(vocabSize)) throw new ConfigError(`${where}: --vocab-size N is required (the model's vocabulary size)`);
    const gamma = numberFlag(flags, 'gamma', 0.25, where);
    const zThreshold = numberFlag(flags, 'threshold', 4, where);
    const defaultPrompt = numberFlag(flags, 'prompt-length', 0, where);
    const scheme = watermarkScheme(flags.scheme, vocabSize, flags.key, where, gamma, 'key')!;
    if (!!flags['ids-file'] === !!flags['text-file']) throw new ConfigError(`${where}: give exactly one of --ids-file F or --text-file F`);
    const file = flags['ids-file'] ?? flags['text-file'];
    let encode: ((s: string) => number[]) | undefined;
    if (flags['text-file']) {
      if (!flags.tokenizer) throw new ConfigError(`${where}: --text-file needs --tokenizer tokenizer.json (the one the model was trained with)`);
      const tok = tokenizerFromJSON(JSON.parse(await readFile(flags.tokenizer, 'utf8')) as Record<string, unknown>);
      encode = (s) => tok.encode(s);
    }
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      const { ids, promptLength } = parseLine(line, encode, `${file}:${i + 1}`);
      const r = detectWatermark(ids, scheme, { promptLength: promptLength ?? defaultPrompt, zThreshold });
      io.stdout.write(`${JSON.stringify({ z: r.z, K: r.green, T: r.scored, p: r.pValue, watermarked: r.watermarked })}\n`);
    });
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

function parseLine(line: string, encode: ((s: string) => number[]) | undefined, where: string): { ids: number[]; promptLength?: number } {
  let doc: unknown;
  try {
    doc = JSON.parse(line);
  } catch {
    if (encode) return { ids: encode(line) }; // a plain text line
    throw new DataError(`${where}: not JSON; an ids file has one {"ids": [...]} object per line`);
  }
  const o = doc as Record<string, unknown>;
  const promptLength = typeof o.prompt_length === 'number' ? o.prompt_length : undefined;
  if (encode) {
    if (typeof o.text !== 'string') throw new DataError(`${where}: a JSONL text file needs a "text" string per line`);
    return { ids: encode(o.text), promptLength };
  }
  if (!Array.isArray(o.ids) || !o.ids.every((x) => Number.isInteger(x))) throw new DataError(`${where}: "ids" must be an array of integer token ids`);
  return { ids: o.ids as number[], promptLength };
}
