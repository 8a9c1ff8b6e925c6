import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { generateRejected, preferenceRows, readPromptsWithAnswers, REJECT_PRESETS } from '../pipeline/prefs/generatePreferences.ts';
import { withModel } from '../pipeline/withModel.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const PREFERENCES_HELP = `versiflow preferences generate --checkpoint SFT_CKPT --prompts FILE --out prefs.jsonl [--presets loops,canned,tutorial] [--layout paired|unpaired]
      [--limit N --seed N --batch-size 8 --chat-column C --filter EXPR --backend B]
      preference data for train --task kto|dpo: the SFT model's completions under presets that provoke failure modes
      (loops: T 1.2, no repetition penalty, 400 tokens; canned: T 0.4, penalty 1.15, 80; tutorial: T 0.7, penalty 1.10, 500)
      are the rejected answers, the prompts' reference answers the chosen ones; FILE holds {prompt, chosen|completion|answer}
      rows or dialogues (the last assistant turn is the reference); rows in TRL's paired or unpaired layout`;

const KNOWN = ['checkpoint', 'prompts', 'out', 'presets', 'layout', 'limit', 'seed', 'batch-size', 'chat-column', 'filter', 'backend'];

/** `versiflow preferences generate`: prompts + reference answers + an SFT checkpoint → preference rows (JSONL). */
export async function preferencesCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args);
    if (positional[0] !== 'generate') throw new ConfigError(`preferences: expected the subcommand "generate"; usage:\n  ${PREFERENCES_HELP}`);
    const where = 'preferences generate';
    rejectUnknownFlags(flags, KNOWN, where);
    for (const f of ['checkpoint', 'prompts', 'out']) if (!flags[f]) throw new ConfigError(`${where}: --${f} is required; usage:\n  ${PREFERENCES_HELP}`);
    const presets = (flags.presets ?? Object.keys(REJECT_PRESETS).join(',')).split(',').map((p) => p.trim()).filter(Boolean);
    const layout = flags.layout ?? 'paired';
    if (layout !== 'paired' && layout !== 'unpaired') throw new ConfigError(`${where}: --layout must be paired or unpaired; got "${layout}"`);
    const int = (name: string, d: number) => {
      const v = flags[name] === undefined ? d : Number(flags[name]);
      if (!Number.isInteger(v) || v < 0) throw new ConfigError(`${where}: --${name} must be a whole number ≥ 0; got "${flags[name]}"`);
      return v;
    };
    const items = await readPromptsWithAnswers(flags.prompts, { chatColumn: flags['chat-column'], filter: flags.filter, limit: int('limit', 0) });
    if (items.length === 0) throw new ConfigError(`${where}: ${flags.prompts} has no prompt with a reference answer`);
    const rows = await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      io.stderr.write(`${items.length} prompts × ${presets.length} presets (${presets.join(', ')}) from ${m.dir}\n`);
      const rejected = await generateRejected(m, items, presets, {
        seed: int('seed', 1337),
        batchSize: Math.max(1, int('batch-size', 8)),
        onProgress: (done, total) => io.stderr.write(`\r${done}/${total} generated`),
      });
      io.stderr.write('\n');
      const loops = rejected.filter((r) => r.finish === 'length').length;
      io.stderr.write(`${rejected.length} rejected completions, ${loops} ran to their token limit\n`);
      return preferenceRows(items, rejected, layout);
    });
    mkdirSync(dirname(flags.out), { recursive: true });
    writeFileSync(flags.out, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    io.stdout.write(`wrote ${rows.length} ${layout} rows to ${flags.out}\n`);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
