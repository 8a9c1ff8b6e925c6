import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { pickHeldOut, watermarkScores } from '../eval/watermarkEval.ts';
import { formatScoresCsv, parseScoresCsv, type WatermarkMetrics, watermarkMetrics } from '../eval/watermarkMetrics.ts';
import { heldOutTexts } from '../pipeline/data/heldOutTexts.ts';
import { withModel } from '../pipeline/withModel.ts';
import { batchSizeFlag } from './generateBatchCommand.ts';
import { numberFlag, watermarkScheme } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { encodeDocument } from '../model/tokenizer/documentIds.ts';

export const EVAL_WATERMARK_HELP = `versiflow eval watermark --scores FILE.csv [--threshold 4 --json]
      accuracy, precision, recall, F1, ROC AUC, confusion and mean z of a label,z_score file (label 1 = generated)
  versiflow eval watermark --checkpoint PATH [--n 32 --scheme poetru|keyed|lefthash --key K --threshold 4 --max-new-tokens 200
      --prompt-tokens 2 --batch-size 8 --temperature 0.8 --top-k 40 --seed 1337 --out DIR --json]
      N watermarked generations vs N held-out texts; writes watermark_scores.csv and watermark_metrics.json (default DIR: the run's eval/)`;

const SCORE_FLAGS = ['scores', 'threshold', 'json'];
const CHECKPOINT_FLAGS = ['checkpoint', 'n', 'scheme', 'key', 'threshold', 'max-new-tokens', 'prompt-tokens', 'batch-size', 'temperature', 'top-k', 'seed', 'out', 'backend', 'json'];

/** The eval/ folder of a checkpoint's run (runs/x/checkpoints/step-N → runs/x/eval), or eval/ inside a lone checkpoint. */
export function evalDirOf(checkpointDir: string): string {
  const parent = dirname(resolve(checkpointDir));
  return join(basename(parent) === 'checkpoints' ? dirname(parent) : resolve(checkpointDir), 'eval');
}

/**
 * `versiflow eval watermark`: metrics of a detector's z-scores, from a `label,z_score` file, or from a
 * checkpoint: watermarked generations after the first tokens of held-out texts vs those texts' own
 * continuations (src/eval/watermarkEval.ts), written as watermark_scores.csv and watermark_metrics.json.
 */
export async function evalWatermarkCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval watermark';
    const { flags } = parseArgs(args, ['json']);
    if (!!flags.scores === !!flags.checkpoint) throw new ConfigError(`${where}: give one of --scores FILE.csv or --checkpoint PATH\n${EVAL_WATERMARK_HELP}`);
    const threshold = numberFlag(flags, 'threshold', 4, where);
    if (flags.scores) {
      rejectUnknownFlags(flags, SCORE_FLAGS, where);
      let text: string;
      try {
        text = readFileSync(flags.scores, 'utf8');
      } catch (e) {
        throw new DataError(`${flags.scores}: ${(e as Error).message}`);
      }
      const metrics = watermarkMetrics(parseScoresCsv(text, flags.scores), threshold);
      io.stdout.write(flags.json ? `${JSON.stringify(metrics)}\n` : describe(metrics, flags.scores));
      return 0;
    }
    rejectUnknownFlags(flags, CHECKPOINT_FLAGS, where);
    const int = (name: string, fallback: number, min: number) => {
      const v = numberFlag(flags, name, fallback, where);
      if (!Number.isInteger(v) || v < min) throw new ConfigError(`${where}: --${name} must be an integer ≥ ${min}, got ${flags[name]}`);
      return v;
    };
    const n = int('n', 32, 1);
    const maxNewTokens = int('max-new-tokens', 200, 1);
    const promptTokens = int('prompt-tokens', 2, 1);
    const batchSize = batchSizeFlag(flags, where);
    const temperature = numberFlag(flags, 'temperature', 0.8, where);
    const topK = int('top-k', 40, 0);
    const seed = numberFlag(flags, 'seed', 1337, where);
    return await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const scheme = watermarkScheme(flags.scheme ?? 'poetru', m.gpt.vocabSize, flags.key, where, undefined, 'key')!;
      // as training saw them (BOS first for a model trained with one); the prompt is the BOS and --prompt-tokens text tokens
      const docs = (await heldOutTexts(m.config)).map((t) => encodeDocument(m.tokenizer, t));
      const lead = promptTokens + (m.tokenizer.addBos ? 1 : 0);
      const picked = pickHeldOut(docs, n, lead, maxNewTokens);
      if (picked.length < 2) throw new DataError(`${m.config.data}: only ${picked.length} held-out text(s) longer than --prompt-tokens ${promptTokens}; a watermark evaluation needs at least 2`);
      if (picked.length < n) io.stderr.write(`warning: the validation split of ${m.config.data} has ${picked.length} texts longer than ${promptTokens} tokens, fewer than --n ${n}\n`);
      const t0 = performance.now();
      const { rows, pairs } = await watermarkScores(
        { weights: m.weights, config: m.gpt, tokenizer: m.tokenizer },
        picked.map((i) => docs[i]),
        { scheme, promptTokens: lead, maxNewTokens, batchSize, seed, temperature, topK },
      );
      const seconds = (performance.now() - t0) / 1000;
      const metrics = watermarkMetrics(rows, threshold);
      const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
      const result = {
        ...metrics,
        scheme: scheme.name,
        gamma: scheme.gamma,
        delta: scheme.delta,
        checkpoint: m.dir,
        step: m.step,
        max_new_tokens: maxNewTokens,
        prompt_tokens: promptTokens,
        mean_tokens_generated: mean(pairs.map((p) => p.generatedTokens)),
        mean_tokens_real: mean(pairs.map((p) => p.realTokens)),
        seconds,
      };
      const out = flags.out ?? evalDirOf(m.dir);
      mkdirSync(out, { recursive: true });
      writeFileSync(join(out, 'watermark_scores.csv'), formatScoresCsv(rows));
      writeFileSync(join(out, 'watermark_metrics.json'), `${JSON.stringify(result, null, 2)}\n`);
      io.stdout.write(
        flags.json
          ? `${JSON.stringify(result)}\n`
          : `${describe(metrics, `${scheme.name} (γ ${scheme.gamma}, δ ${scheme.delta}), ${pairs.length} generations of ${maxNewTokens} tokens vs ${pairs.length} held-out texts, step ${m.step}`)}` +
              `  wrote ${join(out, 'watermark_scores.csv')} and watermark_metrics.json (${seconds.toFixed(1)} s)\n`,
      );
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}

const f = (x: number | null, d = 3) => (x === null ? 'n/a' : x.toFixed(d));

/** The metrics as three readable lines. */
function describe(m: WatermarkMetrics, what: string): string {
  const c = m.confusion;
  return (
    `watermark ${what}\n` +
    `  AUC ${f(m.roc_auc)} | F1 ${f(m.f1)} | accuracy ${f(m.accuracy)} | precision ${f(m.precision)} | recall ${f(m.recall)} (positive = z ≥ ${m.threshold})\n` +
    `  generated: ${m.counts.generated} texts, mean z ${f(m.mean_z_generated, 2)} | real: ${m.counts.real} texts, mean z ${f(m.mean_z_real, 2)} | tp ${c.tp} fp ${c.fp} tn ${c.tn} fn ${c.fn}\n`
  );
}
