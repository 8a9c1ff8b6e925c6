import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, toArray } from 'rxjs';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { authorSpace, formatPointsCsv, selectAuthorTexts } from '../eval/authorSpace.ts';
import type { GenRecord } from '../eval/genRecords.ts';
import { meanPooledStates } from '../eval/meanPooled.ts';
import { corpus$ } from '../pipeline/data/corpus.ts';
import { type LoadedModel, withModel } from '../pipeline/withModel.ts';
import { evalDirOf } from './evalWatermarkCommand.ts';
import { batchSizeFlag, generateRecords, promptSet } from './generateBatchCommand.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from './generationFlags.ts';
import { readGenFile } from './readGenFile.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_AUTHORS_HELP = `versiflow eval authors --checkpoint PATH (--texts gen.jsonl | --generate N [--prompt-tokens 2 generation flags]) [--data PATH --text-column C
      --min-texts 10 --max-per-author 100 --permutations 1000 --seed 1337 --batch-size 8 --out DIR --json]
      author space: mean-pooled hidden states of real texts per author vs generated texts; mean-embedding distance, permutation
      test, 2-D PCA; writes author_pca_stats.json and author_pca_points.csv (default DIR: the run's eval/)`;

const KNOWN = ['checkpoint', 'texts', 'generate', 'prompt-tokens', 'data', 'text-column', 'min-texts', 'max-per-author', 'permutations', 'batch-size', 'out', 'backend', 'json', ...GENERATION_FLAGS];

/**
 * `versiflow eval authors`: where a model's texts sit among its corpus's authors, in the model's own
 * representation (src/eval/authorSpace.ts). Real texts: every author of --data (default: the run's
 * corpus, read as training read it) with at least --min-texts texts, at most --max-per-author each
 * (a seeded sample). Generated texts: a gen.jsonl (prompt + text of each record) or --generate N
 * generations after the first --prompt-tokens tokens of the run's held-out texts.
 */
export async function evalAuthorsCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval authors';
    const { flags, all } = parseArgs(args, ['json'], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (!flags.checkpoint) throw new ConfigError(`${where}: --checkpoint PATH is required (a checkpoint or run directory)\n${EVAL_AUTHORS_HELP}`);
    if (!!flags.texts === !!flags.generate) throw new ConfigError(`${where}: give one of --texts gen.jsonl or --generate N (the generated side)\n${EVAL_AUTHORS_HELP}`);
    const int = (name: string, fallback: number, min: number) => {
      const v = numberFlag(flags, name, fallback, where);
      if (!Number.isInteger(v) || v < min) throw new ConfigError(`${where}: --${name} must be an integer ≥ ${min}, got ${flags[name]}`);
      return v;
    };
    const minTexts = int('min-texts', 10, 1);
    const maxPerAuthor = int('max-per-author', 100, 1);
    const permutations = int('permutations', 1000, 1);
    const seed = int('seed', 1337, 0);
    const batchSize = batchSizeFlag(flags, where);
    const given = flags.texts ? readGenFile(flags.texts) : null;
    return await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const t0 = performance.now();
      const data = flags.data ?? m.config.data;
      const rows = await lastValueFrom(corpus$({ data, textColumn: flags['text-column'] ?? m.config.textColumn, maxDocs: 0, normalize: m.config.normalize }).pipe(toArray()));
      if (!rows.some((r) => r.author)) throw new DataError(`${data}: no author column (parquet) or "author" key (JSONL); eval authors needs texts labelled by author`);
      const real = selectAuthorTexts(rows, minTexts, maxPerAuthor, seed).filter((r) => r.text.trim() !== '');
      if (real.length === 0) throw new DataError(`${data}: no author has ${minTexts} or more texts; lower --min-texts`);
      const records = given ?? (await generate(m, flags, all, where, batchSize));
      const genTexts = records.map((r) => r.prompt + r.text).filter((t) => m.tokenizer.encode(t).length > 0);
      if (genTexts.length < records.length) io.stderr.write(`warning: ${records.length - genTexts.length} empty generated text(s) left out\n`);
      if (genTexts.length === 0) throw new DataError(`${flags.texts ?? 'the generations'}: no non-empty generated texts to embed`);
      const model = { weights: m.weights, config: m.gpt };
      const realVecs = await meanPooledStates(model, real.map((r) => m.tokenizer.encode(r.text)), batchSize);
      const genVecs = await meanPooledStates(model, genTexts.map((t) => m.tokenizer.encode(t)), batchSize);
      const { stats, points } = authorSpace(real.map((r, i) => ({ author: r.author, vector: realVecs[i] })), genVecs, { permutations, seed });
      const seconds = (performance.now() - t0) / 1000;
      const result = { ...stats, checkpoint: m.dir, step: m.step, data, generated: flags.texts ?? `${genTexts.length} generations`, min_texts: minTexts, max_per_author: maxPerAuthor, seed, hidden: m.gpt.hidden, seconds };
      const out = flags.out ?? evalDirOf(m.dir);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'author_pca_stats.json'), `${JSON.stringify(result, null, 2)}\n`);
      writeFileSync(join(out, 'author_pca_points.csv'), formatPointsCsv(points));
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `author space of ${m.dir} (step ${m.step}): ${stats.real_count} texts of ${stats.author_count} authors vs ${stats.generated_count} generated\n` +
              `  mean-embedding distance ${stats.mean_distance.toFixed(4)}, permutation p = ${stats.p_value.toPrecision(3)} (${stats.exceedances} of ${permutations} shuffles as far apart)\n` +
              `  PCA explained variance ${stats.explained_variance.map((r) => `${(100 * r).toFixed(1)}%`).join(' + ')}\n` +
              `  wrote ${join(out, 'author_pca_stats.json')} and author_pca_points.csv (${seconds.toFixed(1)} s)\n`,
      );
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}

/** --generate N: N batched generations after the first --prompt-tokens tokens of the run's held-out texts. */
async function generate(m: LoadedModel, flags: Record<string, string>, all: Readonly<Record<string, string[]>>, where: string, batchSize: number): Promise<GenRecord[]> {
  const n = numberFlag(flags, 'generate', NaN, where);
  if (!Number.isInteger(n) || n < 1) throw new ConfigError(`${where}: --generate must be an integer ≥ 1, got ${flags.generate}`);
  const prompts = await promptSet(m, { 'prompts-from': 'val', n: String(n), ...(flags['prompt-tokens'] ? { 'prompt-tokens': flags['prompt-tokens'] } : {}) }, where);
  const { records } = await generateRecords(m, prompts, generationOptions(flags, m.gpt.vocabSize, where, all), batchSize);
  return records;
}
