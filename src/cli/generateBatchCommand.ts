import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { formatGenJsonl, type GenRecord, toGenRecords } from '../eval/genRecords.ts';
import type { GenerateOptions } from '../model/nn/generate.ts';
import { generateMany } from '../model/nn/generateBatch.ts';
import { heldOutTexts } from '../pipeline/data/heldOutTexts.ts';
import { type LoadedModel, withModel } from '../pipeline/withModel.ts';
import { generateCommand } from './generateCommand.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from './generationFlags.ts';
import { withRecommendedDecoding } from './recommendedDefaults.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { encodeDocument, promptIds } from '../model/tokenizer/documentIds.ts';

/** Flags that choose prompts for many generations (shared with eval behaviour). */
export const PROMPT_SET_FLAGS = ['n', 'prompts', 'prompts-from', 'prompt-tokens', 'batch-size'] as const;
/** Any of these on `generate` switches it to batch generation. */
const BATCH_TRIGGERS = ['n', 'prompts', 'prompts-from', 'out', 'batch-size'];
const KNOWN = ['checkpoint', 'backend', 'out', ...PROMPT_SET_FLAGS, ...GENERATION_FLAGS];

export const GENERATE_BATCH_HELP = `versiflow generate --checkpoint PATH --n N (--prompts FILE | --prompts-from val) [--prompt-tokens 2] --out gen.jsonl [--batch-size 8] [generation flags]
      many generations, several sequences per forward pass (batched KV-cached decoding); one JSON record per line:
      {"id","prompt","text","token_ids","finish"}; --prompts: JSONL {"prompt"} or plain lines; val: the first
      --prompt-tokens tokens of the run's held-out texts; generation i uses seed + i`;

/** A prompt: its text (as written to gen.jsonl) and ids. */
export interface PromptItem {
  readonly text: string;
  readonly ids: number[];
}

/**
 * The prompts of `--prompts FILE` (JSONL with a "prompt" string per line, or plain text lines; blank
 * lines skipped) or `--prompts-from val` (the first --prompt-tokens ids of each held-out text of the
 * checkpoint's corpus), cycled to --n when given (default: each prompt once; val: 32). An empty text
 * prompt starts from the EOS id, as `generate` does.
 */
export async function promptSet(m: LoadedModel, flags: Record<string, string>, where: string): Promise<PromptItem[]> {
  const tok = m.tokenizer;
  const hasN = flags.n !== undefined;
  const n = numberFlag(flags, 'n', NaN, where);
  if (hasN && (!Number.isInteger(n) || n < 1)) throw new ConfigError(`${where}: --n must be an integer ≥ 1, got ${flags.n}`);
  if ((flags.prompts === undefined) === (flags['prompts-from'] === undefined)) throw new ConfigError(`${where}: give one of --prompts FILE or --prompts-from val`);
  let base: PromptItem[];
  if (flags.prompts !== undefined) {
    if (flags['prompt-tokens'] !== undefined) throw new ConfigError(`${where}: --prompt-tokens goes with --prompts-from val (a --prompts file gives whole prompts)`);
    const texts = readPromptFile(flags.prompts);
    base = texts.map((text) => ({ text, ids: promptIds(tok, text) }));
  } else {
    if (flags['prompts-from'] !== 'val') throw new ConfigError(`${where}: --prompts-from takes "val" (the run's held-out texts), got "${flags['prompts-from']}"`);
    const k = numberFlag(flags, 'prompt-tokens', 2, where);
    if (!Number.isInteger(k) || k < 1) throw new ConfigError(`${where}: --prompt-tokens must be an integer ≥ 1, got ${flags['prompt-tokens']}`);
    const texts = await heldOutTexts(m.config);
    const lead = k + (tok.addBos ? 1 : 0); // the first k text tokens, after the BOS a model trained with one starts from
    base = texts
      .map((t) => encodeDocument(tok, t))
      .filter((ids) => ids.length >= lead)
      .slice(0, hasN ? n : 32)
      .map((ids) => ({ text: tok.decode(ids.slice(0, lead)), ids: ids.slice(0, lead) }));
  }
  if (base.length === 0) throw new DataError(`${where}: no prompts`);
  const count = hasN ? n : flags.prompts !== undefined ? base.length : Math.min(32, base.length);
  return Array.from({ length: count }, (_, i) => base[i % base.length]);
}

function readPromptFile(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  return text.split('\n').flatMap((line, i) => {
    if (line.trim() === '') return [];
    if (line.trimStart().startsWith('{')) {
      try {
        const o = JSON.parse(line) as { prompt?: unknown };
        if (typeof o.prompt !== 'string') throw new DataError(`${file}:${i + 1}: a JSONL prompt file needs a "prompt" string per line`);
        return [o.prompt];
      } catch (e) {
        if (e instanceof DataError) throw e;
      }
    }
    return [line.replace(/\r$/, '')];
  });
}

/** Batched generation of every prompt; returns gen.jsonl records and the wall time. */
export async function generateRecords(m: LoadedModel, prompts: readonly PromptItem[], opts: GenerateOptions, batchSize: number): Promise<{ records: GenRecord[]; seconds: number; tokens: number }> {
  const t0 = performance.now();
  const gens = await generateMany({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, prompts.map((p) => p.ids), { ...opts, batchSize });
  const seconds = (performance.now() - t0) / 1000;
  const records = toGenRecords(prompts.map((p) => p.text), gens);
  return { records, seconds, tokens: gens.reduce((s, g) => s + g.logprobs.length, 0) };
}

/** --batch-size (default 8). */
export function batchSizeFlag(flags: Record<string, string>, where: string): number {
  const b = numberFlag(flags, 'batch-size', 8, where);
  if (!Number.isInteger(b) || b < 1) throw new ConfigError(`${where}: --batch-size must be an integer ≥ 1, got ${flags['batch-size']}`);
  return b;
}

/**
 * `versiflow generate --n N (--prompts FILE | --prompts-from val) --out gen.jsonl`: many generations,
 * batched (rows of equal prompt length share each forward pass), written as gen.jsonl records.
 */
export async function generateBatchCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'generate';
    const { flags, all } = parseArgs(args, [], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (!flags.checkpoint) throw new ConfigError(`${where}: --checkpoint PATH is required (a checkpoint or run directory)`);
    if (!flags.out) throw new ConfigError(`${where}: batch generation needs --out gen.jsonl`);
    if (flags.cache === 'false') throw new ConfigError(`${where}: batch generation always uses the KV cache; drop --no-cache`);
    const batchSize = batchSizeFlag(flags, where);
    await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const opts = generationOptions(withRecommendedDecoding(flags, flags.checkpoint, io), m.gpt.vocabSize, where, all);
      const prompts = await promptSet(m, flags, where);
      const { records, seconds, tokens } = await generateRecords(m, prompts, opts, batchSize);
      mkdirSync(dirname(resolve(flags.out)), { recursive: true });
      writeFileSync(flags.out, formatGenJsonl(records));
      const ended = records.filter((r) => r.finish !== 'length').length;
      io.stderr.write(`[${records.length} generations, ${tokens} tokens in ${seconds.toFixed(2)} s, ${(tokens / seconds).toFixed(1)} tok/s, batch ${batchSize}; ${ended} ended on EOS or a stop string] → ${flags.out}\n`);
    });
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

/** `generate`'s entry: batch generation when any of --n, --prompts, --prompts-from, --out, --batch-size is given, else one streamed generation. */
export function generateEntry(args: readonly string[], io: CliIO): Promise<number> {
  const batch = args.some((a) => a.startsWith('--') && BATCH_TRIGGERS.includes(a.slice(2).split('=')[0]));
  return batch ? generateBatchCommand(args, io) : generateCommand(args, io);
}
