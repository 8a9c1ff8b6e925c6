import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastValueFrom, reduce } from 'rxjs';
import { normalizeConfig } from '../core/config/normalizeConfig.ts';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { clippedHistogram } from '../eval/lengthHistogram.ts';
import { tokenLengthStats } from '../eval/lengthStats.ts';
import { corpus$ } from '../pipeline/data/corpus.ts';
import { resolveTokenizer } from '../pipeline/data/prepareData.ts';
import type { CliIO } from './io.ts';
import { parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const DATA_HELP = `versiflow data stats --data PATH --tokenizer tokenizer.json|char [--text-column C --normalize nfc --max-docs N --out DIR --json]
      token lengths of the documents: count, mean, std, min, p25, p50, p75, p95, max, chars per token (token_length_stats.json in DIR, with a histogram)`;

const KNOWN = ['data', 'tokenizer', 'text-column', 'normalize', 'max-docs', 'out', 'json'];

/**
 * `versiflow data stats`: reads the corpus as training does (same readers and normalisation), encodes
 * each document with the tokenizer (no EOS added) and reports the distribution of document lengths in
 * tokens (percentiles: numpy's default linear interpolation) and characters (code points) per token.
 */
export async function dataCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args, ['json']);
    if (positional[0] !== 'stats') throw new ConfigError(`data: expected the subcommand "stats"; usage:\n  ${DATA_HELP}`);
    const where = 'data stats';
    rejectUnknownFlags(flags, KNOWN, where);
    if (!flags.data) throw new ConfigError(`${where}: --data PATH is required`);
    if (!flags.tokenizer) throw new ConfigError(`${where}: --tokenizer tokenizer.json|char is required`);
    const cfg = normalizeConfig(
      {
        data: flags.data,
        tokenizer: flags.tokenizer,
        token_cache: false,
        ...(flags['text-column'] ? { text_column: flags['text-column'] } : {}),
        ...(flags.normalize ? { normalize: flags.normalize } : {}),
        ...(flags['max-docs'] ? { max_docs: flags['max-docs'] } : {}),
      },
      'command line',
    );
    const { tokenizer } = await resolveTokenizer(cfg);
    const { lengths, chars } = await lastValueFrom(
      corpus$(cfg).pipe(
        reduce(
          (acc, row) => {
            acc.lengths.push(tokenizer.encode(row.text).length);
            for (const _ of row.text) acc.chars++;
            return acc;
          },
          { lengths: [] as number[], chars: 0 },
        ),
      ),
    );
    const stats = tokenLengthStats(lengths, chars);
    const result = { data: cfg.data, tokenizer: cfg.tokenizer, vocab_size: tokenizer.vocabSize, percentiles: 'linear (numpy default)', ...stats };
    if (flags.out) {
      mkdirSync(flags.out, { recursive: true });
      // the histogram (30 bins up to p99, for `versiflow report`) goes into the file only, not the --json line
      const h = clippedHistogram(lengths, 30, 99);
      writeFileSync(join(flags.out, 'token_length_stats.json'), `${JSON.stringify({ ...result, histogram: h.bins, histogram_above: h.above }, null, 2)}\n`);
    }
    const s = stats;
    const v = (x: number) => (Number.isInteger(x) ? String(x) : x.toFixed(1));
    io.stdout.write(
      flags.json
        ? `${JSON.stringify(result)}\n`
        : `${s.count} documents of ${cfg.data}, ${s.tokens} tokens (${cfg.tokenizer}, vocab ${tokenizer.vocabSize}); ${s.chars_per_token === null ? 'n/a' : s.chars_per_token.toFixed(3)} chars per token\n` +
            `  tokens per document: mean ${s.mean.toFixed(1)} ± ${s.std.toFixed(1)} | min ${s.min} | p25 ${v(s.p25)} | p50 ${v(s.p50)} | p75 ${v(s.p75)} | p95 ${v(s.p95)} | max ${s.max}\n` +
            (flags.out ? `  wrote ${join(flags.out, 'token_length_stats.json')}\n` : ''),
    );
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
