import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DataError } from '../errors/DataError.ts';
import { trainBpeAsync } from '../model/tokenizer/bpeTrainer.ts';
import { tokenizerFromJSON } from '../model/tokenizer/loadTokenizer.ts';

/** Where the command writes; injectable so tests use fakes. */
export interface CommandIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

const USAGE = `usage:
  versiflow tokenizer train --data PATH(.jsonl|.txt) --vocab-size N --out tokenizer.json
                            [--min-frequency 2] [--special "[PAD],[EOS],[UNK]"] [--user-symbols "«,»,—,…"]
  versiflow tokenizer encode --tokenizer tokenizer.json (--text S | --file F)
  versiflow tokenizer decode --tokenizer tokenizer.json --ids '[1,2,3]'
`;

const FLAGS: Record<string, readonly string[]> = {
  train: ['data', 'vocab-size', 'out', 'min-frequency', 'special', 'user-symbols'],
  encode: ['tokenizer', 'text', 'file'],
  decode: ['tokenizer', 'ids'],
};

class UsageError extends Error {}

/**
 * `versiflow tokenizer train|encode|decode`. Returns the exit code: 0 done, 2 bad usage (unknown verb or
 * flag, missing or malformed value), 1 any other failure (unreadable data, bad tokenizer file).
 * Training streams the corpus line by line (.jsonl rows with a "text" key, or .txt lines).
 */
export async function tokenizerCommand(args: readonly string[], io: CommandIO): Promise<number> {
  try {
    const [verb, ...rest] = args;
    if (!verb || !(verb in FLAGS)) throw new UsageError(`unknown tokenizer command "${verb ?? ''}"`);
    const flags = parseFlags(rest, FLAGS[verb]);
    if (verb === 'train') return await train(flags, io);
    const tok = tokenizerFromJSON(JSON.parse(readFileSync(required(flags, 'tokenizer'), 'utf8')));
    if (verb === 'encode') {
      if ((flags.text === undefined) === (flags.file === undefined)) throw new UsageError('encode needs exactly one of --text or --file');
      const text = flags.text ?? readFileSync(flags.file!, 'utf8');
      io.stdout.write(JSON.stringify(tok.encode(text)) + '\n');
      return 0;
    }
    const ids: unknown = JSON.parse(required(flags, 'ids'));
    if (!Array.isArray(ids) || !ids.every((x) => Number.isInteger(x))) throw new UsageError('--ids must be a JSON array of integers');
    io.stdout.write(tok.decode(ids as number[]) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof UsageError || err instanceof SyntaxError) {
      io.stderr.write(`tokenizer: ${err.message}\n${USAGE}`);
      return 2;
    }
    io.stderr.write(`tokenizer: ${(err as Error).message}\n`);
    return 1;
  }
}

async function train(flags: Record<string, string>, io: CommandIO): Promise<number> {
  const data = required(flags, 'data');
  const out = required(flags, 'out');
  const vocabSize = int(flags, 'vocab-size', undefined);
  const minFrequency = int(flags, 'min-frequency', 2);
  const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);
  const started = Date.now();
  const tok = await trainBpeAsync(readTexts(data), {
    vocabSize,
    minFrequency,
    specialTokens: list(flags.special) ?? ['[PAD]', '[EOS]', '[UNK]'],
    userSymbols: list(flags['user-symbols']) ?? [],
  });
  writeFileSync(out, JSON.stringify(tok.toJSON(), null, 2));
  io.stdout.write(`trained ${tok.vocabSize} tokens in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}\n`);
  return 0;
}

/** Texts of a .jsonl ("text" key per row) or .txt (one text per line) file, streamed. */
async function* readTexts(path: string): AsyncGenerator<string> {
  const jsonl = path.endsWith('.jsonl');
  if (!jsonl && !path.endsWith('.txt')) throw new DataError(`${path}: expected a .jsonl or .txt file (Parquet is read elsewhere)`);
  const stream = createReadStream(path, 'utf8');
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      n++;
      if (!jsonl) {
        yield line;
        continue;
      }
      if (!line.trim()) continue;
      let row: unknown;
      try {
        row = JSON.parse(line);
      } catch {
        throw new DataError(`${path}:${n}: not valid JSON; each line must be an object with a "text" string`);
      }
      const text = (row as Record<string, unknown> | null)?.text;
      if (typeof text !== 'string') throw new DataError(`${path}:${n}: no "text" string in this row`);
      yield text;
    }
  } finally {
    lines.close();
    stream.destroy();
  }
}

function parseFlags(args: string[], allowed: readonly string[]): Record<string, string> {
  const flags: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const eq = a.indexOf('=');
    const name = a.startsWith('--') ? a.slice(2, eq > 0 ? eq : undefined) : '';
    if (!name || !allowed.includes(name)) throw new UsageError(`unknown flag "${a}" (allowed: ${allowed.map((f) => '--' + f).join(', ')})`);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags[name] = value;
  }
  return flags;
}

function required(flags: Record<string, string>, name: string): string {
  const v = flags[name];
  if (v === undefined) throw new UsageError(`missing --${name}`);
  return v;
}

function int(flags: Record<string, string>, name: string, dflt: number | undefined): number {
  const raw = flags[name];
  if (raw === undefined && dflt !== undefined) return dflt;
  const v = Number(required(flags, name));
  if (!Number.isInteger(v) || v < 0) throw new UsageError(`--${name} must be a non-negative integer (got "${raw}")`);
  return v;
}
