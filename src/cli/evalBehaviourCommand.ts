import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { DataError } from '../core/errors/DataError.ts';
import { type BehaviourMetrics, behaviourMetrics } from '../eval/behaviour.ts';
import { formatGenJsonl, type GenRecord } from '../eval/genRecords.ts';
import { withModel } from '../pipeline/withModel.ts';
import { batchSizeFlag, generateRecords, PROMPT_SET_FLAGS, promptSet } from './generateBatchCommand.ts';
import { GENERATION_FLAGS, generationOptions } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { readGenFile } from './readGenFile.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_BEHAVIOUR_HELP = `versiflow eval behaviour (--texts gen.jsonl | --checkpoint PATH (--prompts FILE | --prompts-from val) [--n N --out gen.jsonl
      generation flags]) [--json]    distinct_2, repeated_4gram_rate, loop_rate, completion_rate of generated continuations`;

const TEXT_FLAGS = ['texts', 'json'];
const CHECKPOINT_FLAGS = ['checkpoint', 'backend', 'out', 'json', ...PROMPT_SET_FLAGS, ...GENERATION_FLAGS];

/**
 * `versiflow eval behaviour`: how generated continuations behave (src/eval/behaviour.ts), from a
 * gen.jsonl (`versiflow generate --out`) or from a checkpoint, which generates them first (batched;
 * --out keeps them as gen.jsonl).
 */
export async function evalBehaviourCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval behaviour';
    const { flags, all } = parseArgs(args, ['json'], ['no-repeat-ngram']);
    if (!!flags.texts === !!flags.checkpoint) throw new ConfigError(`${where}: give one of --texts gen.jsonl or --checkpoint PATH with --prompts FILE\n${EVAL_BEHAVIOUR_HELP}`);
    let records: GenRecord[];
    let source: string;
    if (flags.texts) {
      rejectUnknownFlags(flags, TEXT_FLAGS, where);
      records = readGenFile(flags.texts);
      source = flags.texts;
    } else {
      rejectUnknownFlags(flags, CHECKPOINT_FLAGS, where);
      const batchSize = batchSizeFlag(flags, where);
      ({ records, source } = await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
        const opts = generationOptions(flags, m.gpt.vocabSize, where, all);
        const { records } = await generateRecords(m, await promptSet(m, flags, where), opts, batchSize);
        return { records, source: `${records.length} generations of up to ${opts.maxNewTokens} tokens from ${m.dir}` };
      }));
      if (flags.out) {
        mkdirSync(dirname(resolve(flags.out)), { recursive: true });
        writeFileSync(flags.out, formatGenJsonl(records));
      }
    }
    const metrics = behaviourMetrics(records);
    io.stdout.write(flags.json ? `${JSON.stringify(metrics)}\n` : describe(metrics, source));
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

const pct = (x: number | null) => (x === null ? 'n/a' : `${(100 * x).toFixed(1)}%`);

function describe(m: BehaviourMetrics, source: string): string {
  return (
    `behaviour of ${m.texts} texts (${source})\n` +
    `  distinct_2 ${m.distinct_2 === null ? 'n/a' : m.distinct_2.toFixed(3)} | repeated_4gram_rate ${pct(m.repeated_4gram_rate)} | loop_rate ${pct(m.loop_rate)} | completion_rate ${pct(m.completion_rate)}\n`
  );
}
