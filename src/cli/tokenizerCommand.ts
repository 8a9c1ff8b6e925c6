import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeConfig } from '../core/config/normalizeConfig.ts';
import type { CliIO } from './io.ts';
import type { Config } from '../core/config/schema.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { parseStrict } from './parseArgs.ts';
import { tokenDtype } from '../model/formats/tokenCacheFormat.ts';
import { CHAT_TOKENS } from '../model/tokenizer/chatTemplate.ts';
import { tokenizerFromJSON } from '../model/tokenizer/loadTokenizer.ts';
import { normalizeOptions } from '../pipeline/data/corpus.ts';
import { BPE_SPECIALS, resolveTokenizer } from '../pipeline/data/prepareData.ts';
import { tokenizedCorpus } from '../pipeline/data/tokenizedCorpus.ts';
import { trainBpeOnCorpus } from '../pipeline/data/trainBpeOnCorpus.ts';
import { spBpeOptions, splitSymbols, trainSpBpeOnCorpus } from '../pipeline/data/trainSpBpeOnCorpus.ts';
import type { DataProgressEvent } from '../core/events.ts';
import { formatEvent } from '../dashboard/formatEvent.ts';


const USAGE = `usage:
  versiflow tokenizer train --data PATH --vocab-size N --out tokenizer.json
                            [--text-column text] [--normalize nfc] [--max-docs 0]
                            [--min-frequency 2] [--special "[PAD],[EOS],[UNK]"] [--user-symbols "«,»,—,…"]
                            [--chat] (adds the chat tokens <|system|> <|user|> <|assistant|> <|end|> as specials)
                            [--bos] (every document starts with BOS: [BOS], or <s> for sp_bpe; the bos_token key)
                            [--type byte_bpe|sp_bpe] sp_bpe: SentencePiece-style BPE (Metaspace, <unk> <s> </s>),
                            [--character-coverage 0.9995] [--byte-fallback auto|on|off] (sp_bpe only)
  versiflow tokenizer cache --data PATH --tokenizer tokenizer.json|char
                            [--text-column text] [--normalize nfc] [--max-docs 0] [--cache-dir .cache/versiflow/tokens]
  versiflow tokenizer encode --tokenizer tokenizer.json (--text S | --file F)
  versiflow tokenizer decode --tokenizer tokenizer.json --ids '[1,2,3]'
PATH: a .parquet, .jsonl or .txt file, a directory of them, a glob, or several of these joined by commas.
--normalize: none, or a comma list of nfc, yo, quotes, dashes, ellipsis (as the config key; default nfc).
`;

const READ_FLAGS = ['data', 'text-column', 'normalize', 'max-docs'];
const FLAGS: Record<string, readonly string[]> = {
  train: [...READ_FLAGS, 'vocab-size', 'out', 'min-frequency', 'special', 'user-symbols', 'type', 'character-coverage', 'byte-fallback'],
  cache: [...READ_FLAGS, 'tokenizer', 'cache-dir'],
  encode: ['tokenizer', 'text', 'file'],
  decode: ['tokenizer', 'ids'],
};


/**
 * `versiflow tokenizer train|cache|encode|decode`. Returns the exit code: 0 done, 2 bad usage (unknown
 * verb or flag, missing or malformed value), 1 any other failure (unreadable data, bad tokenizer file,
 * a cache that could not be written).
 *
 * `train` streams the corpus (Parquet, JSONL, .txt, directories, globs; see readCorpus) through the
 * same normalisation as training into the BPE trainer; only word counts are kept. `cache` builds the
 * token cache a training run with the same data, text_column, normalize, max_docs, tokenizer and
 * cache_dir will reuse (or reports that it is already there).
 */
export async function tokenizerCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const [verb, ...rest] = args;
    if (!verb || !(verb in FLAGS)) throw new UsageError(`unknown tokenizer command "${verb ?? ''}"`);
    const { flags } = parseStrict(rest, { values: FLAGS[verb], booleans: verb === 'train' ? ['chat', 'bos'] : [] });
    if (verb === 'train') return await train(flags, io);
    if (verb === 'cache') return await cache(flags, io);
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

/** The reading flags (and `extra` config keys) as a complete Config; a bad value is a usage error. */
function readConfig(flags: Record<string, string>, extra: Record<string, string | undefined> = {}): Config {
  const partial: Record<string, string> = { data: required(flags, 'data') };
  for (const [k, v] of Object.entries({ text_column: flags['text-column'], normalize: flags.normalize, max_docs: flags['max-docs'], ...extra })) if (v !== undefined) partial[k] = v;
  try {
    const cfg = normalizeConfig(partial, 'command line');
    normalizeOptions(cfg.normalize);
    return cfg;
  } catch (e) {
    if (e instanceof ConfigError) throw new UsageError(e.message);
    throw e;
  }
}

async function train(flags: Record<string, string>, io: CliIO): Promise<number> {
  if (flags.type === 'sp_bpe') return trainSp(flags, io);
  if (flags.type !== undefined && flags.type !== 'byte_bpe') throw new UsageError(`--type must be byte_bpe or sp_bpe (got "${flags.type}")`);
  for (const f of ['character-coverage', 'byte-fallback']) if (flags[f] !== undefined) throw new UsageError(`--${f} is for --type sp_bpe`);
  const cfg = readConfig(flags);
  const out = required(flags, 'out');
  const vocabSize = int(flags, 'vocab-size', undefined);
  const minFrequency = int(flags, 'min-frequency', 2);
  const list = (s: string | undefined): string[] | undefined => s?.split(',').map((x) => x.trim()).filter(Boolean);
  const started = Date.now();
  // one row at a time, normalised as training normalises: the trainer keeps word counts, not texts
  const { tokenizer: tok, docs } = await trainBpeOnCorpus(cfg, {
    vocabSize,
    minFrequency,
    specialTokens: [...(list(flags.special) ?? BPE_SPECIALS), ...(flags.chat !== undefined ? CHAT_TOKENS : [])],
    userSymbols: list(flags['user-symbols']) ?? [],
    bos: flags.bos !== undefined,
  });
  if (docs === 0) throw new DataError(`${cfg.data}: no documents to train on`);
  writeFileSync(out, JSON.stringify(tok.toJSON(), null, 2));
  io.stdout.write(`trained ${tok.vocabSize} tokens on ${docs} documents in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}\n`);
  return 0;
}

/** `train --type sp_bpe`: the config keys character_coverage, byte_fallback, user_defined_symbols from the flags. */
async function trainSp(flags: Record<string, string>, io: CliIO): Promise<number> {
  if (flags.chat !== undefined || flags['min-frequency'] !== undefined) throw new UsageError('--chat and --min-frequency are for --type byte_bpe');
  const cfg = readConfig(flags, { vocab_size: required(flags, 'vocab-size'), character_coverage: flags['character-coverage'], byte_fallback: flags['byte-fallback'], user_defined_symbols: flags['user-symbols'] });
  const out = required(flags, 'out');
  const started = Date.now();
  const opts = { ...spBpeOptions(cfg), bos: flags.bos !== undefined };
  const got = await trainSpBpeOnCorpus(cfg, flags.special !== undefined ? { ...opts, specialTokens: splitSymbols(flags.special) } : opts);
  if (got.docs === 0) throw new DataError(`${cfg.data}: no documents to train on`);
  writeFileSync(out, JSON.stringify(got.tokenizer.toJSON(), null, 2));
  for (const n of got.notes) io.stdout.write(`note: ${n}\n`);
  io.stdout.write(
    `trained ${got.tokenizer.vocabSize} tokens (SentencePiece-style BPE: ${got.alphabet} characters covering ${(100 * got.coverage).toFixed(3)}%, ${got.merges} merges, byte fallback ${got.byteFallback ? 'on' : 'off'}) on ${got.docs} documents in ${((Date.now() - started) / 1000).toFixed(1)} s → ${out}\n`,
  );
  return 0;
}

async function cache(flags: Record<string, string>, io: CliIO): Promise<number> {
  const cfg = readConfig(flags, { tokenizer: required(flags, 'tokenizer'), cache_dir: flags['cache-dir'], token_cache: 'true' });
  const started = Date.now();
  // preparation is not silent: a data/progress line about once a second on stderr
  const onProgress = (e: DataProgressEvent) => io.stderr.write(`${formatEvent(e)}\n`);
  const { tokenizer } = await resolveTokenizer(cfg, { onProgress });
  const got = await tokenizedCorpus(cfg, tokenizer, { keep: false, onProgress });
  for (const w of got.cache.warnings) io.stderr.write(`warning: ${w}\n`);
  const path = got.cache.path!;
  const what = `${got.docCount} documents, ${got.tokens} tokens`;
  if (got.cache.hit) {
    io.stdout.write(`token cache hit: ${path} (${what})\n`);
    return 0;
  }
  if (!existsSync(join(path, 'index.json'))) {
    io.stderr.write(`tokenizer: the token cache was not written to ${path}\n`);
    return 1;
  }
  io.stdout.write(`token cache written: ${path} (${what}, ${tokenDtype(tokenizer.vocabSize)}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
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
