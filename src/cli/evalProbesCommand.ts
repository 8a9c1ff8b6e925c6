import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { type Probe, scoreProbe, summarizeProbes } from '../eval/probes.ts';
import { generateMany } from '../model/nn/generateBatch.ts';
import { withModel } from '../pipeline/withModel.ts';
import { evalDirOf } from './evalWatermarkCommand.ts';
import { batchSizeFlag } from './generateBatchCommand.ts';
import { numberFlag } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { promptIds } from '../model/tokenizer/documentIds.ts';

export const EVAL_PROBES_HELP = `versiflow eval probes --checkpoint PATH --probes FILE.jsonl [--max-new-tokens 50 --batch-size 8 --out DIR --json]
      per {"prompt","expected"}: rank (1 = top) and probability of the expected first token, perplexity of the whole
      expected text, a greedy generation; writes probe_generations.jsonl (default DIR: the run's eval/)`;

const KNOWN = ['checkpoint', 'probes', 'max-new-tokens', 'batch-size', 'out', 'backend', 'json'];

/** Reads a probes file: JSONL, one {"prompt": string, "expected": string} per line. */
export function readProbes(file: string): Probe[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  const out: Probe[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: { prompt?: unknown; expected?: unknown };
    try {
      o = JSON.parse(line);
    } catch {
      throw new DataError(`${file}:${i + 1}: not JSON; a probes file has one {"prompt": "...", "expected": "..."} per line`);
    }
    if (typeof o?.prompt !== 'string' || typeof o.expected !== 'string' || o.expected === '') {
      throw new DataError(`${file}:${i + 1}: a probe needs a "prompt" string and a non-empty "expected" string`);
    }
    out.push({ prompt: o.prompt, expected: o.expected });
  });
  if (out.length === 0) throw new DataError(`${file}: no probes`);
  return out;
}

/**
 * `versiflow eval probes`: how likely a checkpoint finds each probe's expected continuation
 * (src/eval/probes.ts) and what it generates instead (greedy), one record per probe in
 * probe_generations.jsonl, and a summary: top-1/top-5 shares, mean and median rank, mean probability,
 * perplexity (geometric mean over probes).
 */
export async function evalProbesCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval probes';
    const { flags } = parseArgs(args, ['json']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (!flags.checkpoint) throw new ConfigError(`${where}: --checkpoint PATH is required\n${EVAL_PROBES_HELP}`);
    if (!flags.probes) throw new ConfigError(`${where}: --probes FILE.jsonl is required (one {"prompt","expected"} per line)`);
    const maxNewTokens = numberFlag(flags, 'max-new-tokens', 50, where);
    if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1) throw new ConfigError(`${where}: --max-new-tokens must be an integer ≥ 1, got ${flags['max-new-tokens']}`);
    const batchSize = batchSizeFlag(flags, where);
    const probes = readProbes(flags.probes);
    return await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const model = { weights: m.weights, config: m.gpt, tokenizer: m.tokenizer };
      const scores: Awaited<ReturnType<typeof scoreProbe>>[] = [];
      for (const p of probes) scores.push(await scoreProbe(model, p));
      const prompts = probes.map((p) => promptIds(m.tokenizer, p.prompt ?? ''));
      const gens = await generateMany(model, prompts, { maxNewTokens, temperature: 0, topK: 0, batchSize });
      const records = probes.map((p, i) => ({
        prompt: p.prompt,
        expected: p.expected,
        generated: gens[i].text,
        finish: gens[i].finish,
        rank: scores[i].rank,
        prob: scores[i].prob,
        perplexity: scores[i].perplexity,
        expected_tokens: scores[i].expectedTokens,
      }));
      const summary = summarizeProbes(scores);
      const out = flags.out ?? evalDirOf(m.dir);
      mkdirSync(out, { recursive: true });
      const file = join(out, 'probe_generations.jsonl');
      writeFileSync(file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
      if (flags.json) io.stdout.write(`${JSON.stringify({ ...summary, checkpoint: m.dir, step: m.step, file })}\n`);
      else {
        io.stdout.write(
          `probes: ${summary.probes} at step ${m.step} | top-1 ${(100 * summary.top1).toFixed(1)}% | top-5 ${(100 * summary.top5).toFixed(1)}% | ` +
            `mean rank ${summary.mean_rank.toFixed(2)} (median ${summary.median_rank}) | mean p ${summary.mean_prob.toFixed(4)} | perplexity ${summary.perplexity.toFixed(3)}\n`,
        );
        for (const r of records) io.stdout.write(`  rank ${String(r.rank).padStart(4)}  p ${r.prob.toFixed(4)}  ppl ${r.perplexity.toFixed(2).padStart(8)}  ${JSON.stringify(r.prompt)} → ${JSON.stringify(r.expected)} (model: ${JSON.stringify(r.generated.slice(0, 40))})\n`);
        io.stdout.write(`  wrote ${file}\n`);
      }
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}
