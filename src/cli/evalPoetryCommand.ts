import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { lastValueFrom, map, toArray } from 'rxjs';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { formatGenJsonl, type GenRecord } from '../eval/genRecords.ts';
import { type PoetryMetrics, poetryMetrics } from '../eval/poetryMetrics.ts';
import { detectLanguage, POETRY_LANGUAGES, type PoetryLanguage } from '../eval/poetryText.ts';
import { heldOutTexts } from '../pipeline/data/heldOutTexts.ts';
import { withModel } from '../pipeline/withModel.ts';
import { readCorpus } from '../streams/sources/readCorpus.ts';
import { batchSizeFlag, generateRecords, promptSet } from './generateBatchCommand.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from './generationFlags.ts';
import { readGenFile } from './readGenFile.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_POETRY_HELP = `versiflow eval poetry (--texts gen.jsonl | --checkpoint PATH --generate N [--prompt-tokens 2 --batch-size 8 --out gen.jsonl generation flags])
      [--real-from val (needs --checkpoint; its default) | --real FILE --text-column C] [--language auto|ru|fr|en --json]
      lines per poem, rhyme rate (AA/ABAB), syllables per line and their spread, generated and real side by side`;

const KNOWN = ['texts', 'checkpoint', 'generate', 'prompt-tokens', 'batch-size', 'out', 'real-from', 'real', 'text-column', 'language', 'backend', 'json', ...GENERATION_FLAGS];

/**
 * `versiflow eval poetry`: poetry metrics (src/eval/poetryMetrics.ts) of generated poems (a gen.jsonl,
 * prompt + text of each record, or --generate N from a checkpoint after the first tokens of its
 * held-out texts) next to real ones (the checkpoint's held-out texts, or any corpus file), in one
 * language for both (auto: detected from the real texts when there are some).
 */
export async function evalPoetryCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval poetry';
    const { flags, all } = parseArgs(args, ['json'], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (!!flags.texts === !!flags.generate) throw new ConfigError(`${where}: give one of --texts gen.jsonl or --checkpoint PATH --generate N\n${EVAL_POETRY_HELP}`);
    if (flags.generate && !flags.checkpoint) throw new ConfigError(`${where}: --generate needs --checkpoint PATH`);
    if (flags['real-from'] !== undefined && flags['real-from'] !== 'val') throw new ConfigError(`${where}: --real-from takes "val" (the checkpoint's held-out texts), got "${flags['real-from']}"`);
    if (flags['real-from'] && flags.real) throw new ConfigError(`${where}: give one of --real-from val or --real FILE`);
    if (flags['real-from'] && !flags.checkpoint) throw new ConfigError(`${where}: --real-from val needs --checkpoint PATH (its run's held-out texts)`);
    const lang = flags.language ?? 'auto';
    if (lang !== 'auto' && !(POETRY_LANGUAGES as readonly string[]).includes(lang)) throw new ConfigError(`${where}: --language must be auto or one of ${POETRY_LANGUAGES.join(', ')}, got "${lang}"`);

    let generated: string[];
    let real: string[] | null = flags.real ? await readRealFile(flags.real, flags['text-column'] ?? 'text') : null;
    let source: string;
    if (flags.checkpoint) {
      ({ generated, real, source } = await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
        let records: GenRecord[];
        let source: string;
        if (flags.generate) {
          const n = numberFlag(flags, 'generate', NaN, where);
          if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${where}: --generate must be an integer ≥ 1, got ${flags.generate}`);
          const prompts = await promptSet(m, { 'prompts-from': 'val', n: String(n), ...(flags['prompt-tokens'] ? { 'prompt-tokens': flags['prompt-tokens'] } : {}) }, where);
          const opts = generationOptions(flags, m.gpt.vocabSize, where, all);
          ({ records } = await generateRecords(m, prompts, opts, batchSizeFlag(flags, where)));
          source = `${records.length} generations of up to ${opts.maxNewTokens} tokens from ${m.dir}`;
          if (flags.out) {
            mkdirSync(dirname(resolve(flags.out)), { recursive: true });
            writeFileSync(flags.out, formatGenJsonl(records));
          }
        } else {
          records = readGenFile(flags.texts);
          source = flags.texts;
        }
        return { generated: records.map((r) => r.prompt + r.text), real: real ?? (await heldOutTexts(m.config)), source };
      }));
    } else {
      generated = readGenFile(flags.texts).map((r) => r.prompt + r.text);
      source = flags.texts;
    }
    const language: PoetryLanguage = lang === 'auto' ? detectLanguage(real && real.length ? real : generated) : (lang as PoetryLanguage);
    const result = { language, generated: poetryMetrics(generated, language), real: real ? poetryMetrics(real, language) : null };
    io.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : describe(result.generated, result.real, source, flags.real ?? (real ? 'held-out texts' : null)));
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

/** A corpus file's texts (parquet, JSONL or .txt, as training reads them), unnormalised. */
function readRealFile(file: string, textColumn: string): Promise<string[]> {
  return lastValueFrom(readCorpus(file, { textColumn }).pipe(map((r) => r.text), toArray()));
}

const ROWS: readonly [keyof PoetryMetrics, string, (x: number) => string][] = [
  ['poems', 'poems', (x) => String(x)],
  ['lines_per_poem', 'lines per poem', (x) => x.toFixed(1)],
  ['rhyme_rate', 'rhyme rate (lines in an AA or ABAB pair)', (x) => `${(100 * x).toFixed(1)}%`],
  ['aa_rate', '  adjacent pairs rhyming (AA)', (x) => `${(100 * x).toFixed(1)}%`],
  ['abab_rate', '  alternating pairs rhyming (ABAB)', (x) => `${(100 * x).toFixed(1)}%`],
  ['syllables_per_line', 'syllables per line', (x) => x.toFixed(2)],
  ['syllable_cv', 'syllable spread (CV; 0 = regular)', (x) => x.toFixed(3)],
];

/** Both columns as an aligned table. */
function describe(gen: PoetryMetrics, real: PoetryMetrics | null, source: string, realSource: string | null): string {
  const cell = (m: PoetryMetrics, [key, , fmt]: (typeof ROWS)[number]) => {
    const v = m[key];
    return typeof v === 'number' ? fmt(v) : 'n/a';
  };
  const width = Math.max(...ROWS.map((r) => r[1].length));
  const head = `${''.padEnd(width)}  ${'generated'.padStart(10)}${real ? `  ${'real'.padStart(10)}` : ''}`;
  const lines = ROWS.map((r) => `${r[1].padEnd(width)}  ${cell(gen, r).padStart(10)}${real ? `  ${cell(real, r).padStart(10)}` : ''}`);
  return `poetry metrics (${gen.language}) of ${source}${realSource ? ` vs ${realSource}` : ''}\n${head}\n${lines.join('\n')}\n`;
}
