import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import type { BehaviourMetrics } from '../eval/behaviour.ts';
import { type DecodingSetting, DECODING_PRESETS, gridSettings, leaderboardCsv, OBJECTIVE, presetSettings, rankRows, runSweep, splitHoldout, type SweepRow } from '../eval/decodingSweep.ts';
import { generationConfigJson } from '../model/formats/hf/hfConfig.ts';
import { specialIdsOf } from '../model/formats/hf/hfTokenizer.ts';
import { permutation } from '../model/nn/rng.ts';
import { RECOMMENDED_DECODING_FILE, recommendedDecodingPath } from '../pipeline/recommendedDecoding.ts';
import { withModel } from '../pipeline/withModel.ts';
import { batchSizeFlag, type PromptItem, promptSet } from './generateBatchCommand.ts';
import { numberFlag, unescape } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EVAL_SWEEP_HELP = `versiflow eval sweep --checkpoint PATH (--prompts FILE | --prompts-from val [--n 32 --prompt-tokens 2])
      [--grid temperature=0.5,0.7,1.0 top_k=20,40 top_p=... repetition_penalty=... no_repeat_ngram=...] [--presets ${Object.keys(DECODING_PRESETS).join(',')}]
      [--holdout-prompts FILE | --holdout-fraction 0.3] [--top 3 --max-new-tokens 100 --batch-size 8 --seed 1337 --stop S --out DIR --json]
      decoding settings scored by ${OBJECTIVE} over the behaviour metrics on tuning prompts, the top ones
      re-run on held-out prompts; writes tuning_leaderboard.csv, holdout_leaderboard.csv, recommended_decoding.json and
      generation_config.json (default DIR: the checkpoint's run directory, where generate, chat and serve find it)`;

const KNOWN = ['checkpoint', 'prompts', 'prompts-from', 'n', 'prompt-tokens', 'grid', 'presets', 'holdout-prompts', 'holdout-fraction', 'top', 'max-new-tokens', 'batch-size', 'seed', 'stop', 'out', 'backend', 'json'];

/** A checkpoint's run directory (runs/x/checkpoints/step-N → runs/x), or the checkpoint itself when it is not in a run. */
function runDirOfCheckpoint(dir: string): string {
  return basename(dirname(dir)) === 'checkpoints' ? dirname(dirname(dir)) : dir;
}

const metricsOf = (r: SweepRow): BehaviourMetrics & { score: number } => ({
  score: r.score, texts: r.texts, distinct_2: r.distinct_2, repeated_4gram_rate: r.repeated_4gram_rate, loop_rate: r.loop_rate, completion_rate: r.completion_rate,
});

/**
 * `versiflow eval sweep`: a decoding sweep (src/eval/decodingSweep.ts) on a checkpoint. Every setting
 * of the grid and presets generates on the tuning prompts and is scored; the --top best re-run on the
 * held-out prompts, and the best of those there is the recommendation.
 */
export async function evalSweepCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const where = 'eval sweep';
    const { flags, all, positional } = parseArgs(args, ['json']);
    rejectUnknownFlags(flags, KNOWN, where);
    if (!flags.checkpoint) throw new ConfigError(`${where}: --checkpoint PATH is required\n${EVAL_SWEEP_HELP}`);
    if (flags['holdout-prompts'] !== undefined && flags['holdout-fraction'] !== undefined) throw new ConfigError(`${where}: give --holdout-prompts FILE or --holdout-fraction F, not both`);
    const int = (name: string, fallback: number, min: number) => {
      const v = numberFlag(flags, name, fallback, where);
      if (!Number.isInteger(v) || v < min) throw new ConfigError(`${where}: --${name} must be an integer ≥ ${min}, got ${flags[name]}`);
      return v;
    };
    // the grid: --grid axes (repeatable) and the KEY=V,... words that follow one
    const axes = [...(all.grid ?? []), ...positional].flatMap((a) => a.split(/\s+/)).filter((a) => a !== '');
    const strays = positional.filter((p) => !p.includes('='));
    if (strays.length) throw new ConfigError(`${where}: unexpected argument "${strays[0]}" (grid axes are KEY=V1,V2,...)`);
    const presets = flags.presets ? flags.presets.split(',').filter((s) => s !== '') : axes.length ? [] : Object.keys(DECODING_PRESETS);
    const settings: DecodingSetting[] = [...presetSettings(presets), ...(axes.length ? gridSettings(axes) : [])];
    const top = int('top', 3, 1);
    const maxNewTokens = int('max-new-tokens', 100, 1);
    const batchSize = batchSizeFlag(flags, where);
    const seed = numberFlag(flags, 'seed', 1337, where);
    const fraction = numberFlag(flags, 'holdout-fraction', 0.3, where);
    const stop = (all.stop ?? []).map(unescape);

    return await withModel(flags.checkpoint, { backend: backendFlag(flags, where), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const promptFlags = Object.fromEntries(['prompts', 'prompts-from', 'n', 'prompt-tokens'].filter((k) => flags[k] !== undefined).map((k) => [k, flags[k]]));
      const given = await promptSet(m, promptFlags, where);
      let tuning: PromptItem[];
      let holdout: PromptItem[];
      if (flags['holdout-prompts'] !== undefined) {
        tuning = given;
        holdout = await promptSet(m, { prompts: flags['holdout-prompts'] }, where);
      } else ({ tuning, holdout } = splitHoldout(given, fraction, permutation(given.length, seed)));
      const model = { weights: m.weights, config: m.gpt, tokenizer: m.tokenizer };
      const opts = { maxNewTokens, seed, batchSize, stop };
      const say = (s: string) => flags.json || io.stderr.write(s);
      say(`sweep: ${settings.length} settings × ${tuning.length} tuning prompts, then the top ${Math.min(top, settings.length)} × ${holdout.length} held-out prompts, ${maxNewTokens} tokens each\n`);
      const line = (phase: string) => (r: SweepRow, i: number, n: number) =>
        say(`  ${phase} [${i + 1}/${n}] ${r.name}: score ${r.score.toFixed(4)} (distinct_2 ${fmt(r.distinct_2)}, repeated_4gram ${fmt(r.repeated_4gram_rate)}, loop ${fmt(r.loop_rate)}, completion ${fmt(r.completion_rate)}) ${r.seconds.toFixed(1)} s\n`);
      const tuned = await runSweep(model, tuning.map((p) => p.ids), settings, { ...opts, onRow: line('tuning') });
      const finalists = rankRows(tuned).slice(0, top);
      const held = await runSweep(model, holdout.map((p) => p.ids), finalists, { ...opts, onRow: line('held-out') });
      const best = rankRows(held)[0];
      const bestTuning = tuned.find((r) => r.name === best.name)!;

      const out = resolve(flags.out ?? runDirOfCheckpoint(m.dir));
      mkdirSync(out, { recursive: true });
      const { name, temperature, top_k, top_p, repetition_penalty, no_repeat_ngram_size } = best;
      const recommended = {
        name, temperature, top_k, top_p, repetition_penalty, no_repeat_ngram_size, max_new_tokens: maxNewTokens, do_sample: temperature > 0,
        objective: OBJECTIVE, tuning: metricsOf(bestTuning), holdout: metricsOf(best),
        prompts: { tuning: tuning.length, holdout: holdout.length }, settings: settings.length, checkpoint: m.dir, step: m.step,
      };
      const genConfig = generationConfigJson(specialIdsOf(m.tokenizer), { temperature, topK: top_k, topP: top_p, repetitionPenalty: repetition_penalty, noRepeatNgramSize: no_repeat_ngram_size, maxNewTokens }, m.gpt.context);
      const files = {
        tuning: join(out, 'tuning_leaderboard.csv'),
        holdout: join(out, 'holdout_leaderboard.csv'),
        recommended: join(out, RECOMMENDED_DECODING_FILE),
        generationConfig: join(out, 'generation_config.json'),
      };
      writeFileSync(files.tuning, leaderboardCsv(tuned));
      writeFileSync(files.holdout, leaderboardCsv(held));
      writeFileSync(files.recommended, `${JSON.stringify(recommended, null, 2)}\n`);
      writeFileSync(files.generationConfig, `${JSON.stringify(genConfig, null, 2)}\n`);
      if (recommendedDecodingPath(flags.checkpoint!) !== files.recommended)
        say(`note: generate, chat and serve read ${RECOMMENDED_DECODING_FILE} beside the checkpoint or in its run directory; copy ${files.recommended} there to use it\n`);
      io.stdout.write(
        flags.json
          ? `${JSON.stringify({ recommended, tuning: rankRows(tuned), holdout: rankRows(held), files })}\n`
          : `recommended: ${name} (temperature ${temperature}, top_k ${top_k}, top_p ${top_p}, repetition_penalty ${repetition_penalty}, no_repeat_ngram_size ${no_repeat_ngram_size}): ` +
              `held-out score ${best.score.toFixed(4)}, tuning ${bestTuning.score.toFixed(4)} → ${files.recommended}, ${basename(files.generationConfig)}, ${basename(files.tuning)}, ${basename(files.holdout)}\n`,
      );
      return 0;
    });
  } catch (e) {
    return reportError(e, io);
  }
}

const fmt = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
