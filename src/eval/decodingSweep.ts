import { ConfigError } from '../core/errors/ConfigError.ts';
import type { GenerateModel } from '../model/nn/generate.ts';
import { generateMany } from '../model/nn/generateBatch.ts';
import { type BehaviourMetrics, behaviourMetrics } from './behaviour.ts';

/**
 * A decoding sweep (1gpu-llm's): settings of temperature, top-k, top-p, repetition penalty and
 * no-repeat n-gram size, each scored by an objective over the behaviour metrics of its generations
 * on tuning prompts; the best few re-run on held-out prompts.
 */

/** One decoding setting, with Hugging Face's field names. */
export interface DecodingSetting {
  readonly name: string;
  readonly temperature: number;
  readonly top_k: number;
  readonly top_p: number;
  readonly repetition_penalty: number;
  readonly no_repeat_ngram_size: number;
}

type Params = Omit<DecodingSetting, 'name'>;

/** The sweep's axes: grid keys (also with dashes, and no_repeat_ngram for no_repeat_ngram_size). */
export const GRID_KEYS = ['temperature', 'top_k', 'top_p', 'repetition_penalty', 'no_repeat_ngram_size'] as const;
const KEY_ALIASES: Readonly<Record<string, (typeof GRID_KEYS)[number]>> = { no_repeat_ngram: 'no_repeat_ngram_size' };

/** Values of a grid axis that is not given (`versiflow generate`'s defaults). */
export const BASE_DECODING: Params = { temperature: 0.8, top_k: 40, top_p: 1, repetition_penalty: 1, no_repeat_ngram_size: 0 };

/** Named settings (`--presets`); the sweep's default when no grid is given. */
export const DECODING_PRESETS: Readonly<Record<string, Params>> = {
  greedy: { temperature: 0, top_k: 0, top_p: 1, repetition_penalty: 1, no_repeat_ngram_size: 0 },
  balanced: { temperature: 0.8, top_k: 40, top_p: 1, repetition_penalty: 1, no_repeat_ngram_size: 0 },
  focused: { temperature: 0.7, top_k: 20, top_p: 0.9, repetition_penalty: 1.1, no_repeat_ngram_size: 3 },
  creative: { temperature: 1, top_k: 0, top_p: 0.95, repetition_penalty: 1.05, no_repeat_ngram_size: 0 },
  no_repeat: { temperature: 0.8, top_k: 40, top_p: 1, repetition_penalty: 1.2, no_repeat_ngram_size: 4 },
};

/** `t0.7_k40_p0.95_rp1.1_nr3`. */
export const settingName = (p: Params): string => `t${p.temperature}_k${p.top_k}_p${p.top_p}_rp${p.repetition_penalty}_nr${p.no_repeat_ngram_size}`;

/**
 * `key=v1,v2,...` axes → every combination (the cartesian product, in the order the axes and values
 * are given, the first axis varying slowest); axes not given take BASE_DECODING's value.
 * @throws ConfigError naming an unknown key or a value that is not a number.
 */
export function gridSettings(axes: readonly string[]): DecodingSetting[] {
  let combos: Params[] = [{ ...BASE_DECODING }];
  const seen = new Set<string>();
  for (const axis of axes) {
    const eq = axis.indexOf('=');
    const raw = (eq > 0 ? axis.slice(0, eq) : axis).replace(/-/g, '_');
    const key = KEY_ALIASES[raw] ?? raw;
    if (eq <= 0 || !(GRID_KEYS as readonly string[]).includes(key)) throw new ConfigError(`eval sweep: grid axis "${axis}" must be KEY=V1,V2,... with KEY one of ${GRID_KEYS.join(', ')}`);
    if (seen.has(key)) throw new ConfigError(`eval sweep: grid axis ${key} given twice`);
    seen.add(key);
    const values = axis.slice(eq + 1).split(',').map((v) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`eval sweep: grid axis ${key}: "${v}" is not a number`);
      return n;
    });
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  }
  return combos.map((p) => ({ name: settingName(p), ...p }));
}

/** Preset names → settings. @throws ConfigError naming an unknown preset and the known ones. */
export function presetSettings(names: readonly string[]): DecodingSetting[] {
  return names.map((n) => {
    const p = DECODING_PRESETS[n];
    if (!p) throw new ConfigError(`eval sweep: unknown preset "${n}"; presets: ${Object.keys(DECODING_PRESETS).join(', ')}`);
    return { name: n, ...p };
  });
}

/** The objective's weight on completion_rate. */
export const COMPLETION_BONUS = 0.25;
export const OBJECTIVE = `distinct_2 - loop_rate - repeated_4gram_rate + ${COMPLETION_BONUS} * completion_rate`;

/**
 * The sweep's objective, higher is better: distinct_2 − loop_rate − repeated_4gram_rate +
 * 0.25 · completion_rate (a null metric counts 0). Diverse, loop-free text scores near 1; greedy
 * loops score below 0; ending on its own before the length limit earns a small bonus.
 */
export function sweepScore(m: BehaviourMetrics): number {
  const v = (x: number | null) => x ?? 0;
  return v(m.distinct_2) - v(m.loop_rate) - v(m.repeated_4gram_rate) + COMPLETION_BONUS * v(m.completion_rate);
}

/** A setting's result on one prompt set. */
export interface SweepRow extends DecodingSetting, BehaviourMetrics {
  readonly score: number;
  /** Tokens generated over all prompts. */
  readonly tokens: number;
  readonly seconds: number;
}

export interface SweepRunOptions {
  readonly maxNewTokens: number;
  /** Generation i of every setting uses seed + i (the same draws across settings). @default 1337 */
  readonly seed?: number;
  /** @default 8 */
  readonly batchSize?: number;
  readonly stop?: readonly string[];
  /** Called after each setting. */
  readonly onRow?: (row: SweepRow, index: number, total: number) => void;
}

/**
 * Generates a continuation of every prompt under each setting (batched; greedy when temperature is 0)
 * and scores them: behaviour metrics of the continuations and the objective. Rows in setting order.
 */
export async function runSweep(model: GenerateModel, prompts: readonly (readonly number[])[], settings: readonly DecodingSetting[], opts: SweepRunOptions): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const [i, s] of settings.entries()) {
    const t0 = performance.now();
    const gens = await generateMany(model, prompts, {
      maxNewTokens: opts.maxNewTokens, seed: opts.seed ?? 1337, batchSize: opts.batchSize ?? 8, stop: opts.stop ?? [],
      temperature: s.temperature, topK: s.top_k, topP: s.top_p, repetitionPenalty: s.repetition_penalty, noRepeatNgramSize: s.no_repeat_ngram_size,
    });
    const metrics = behaviourMetrics(gens.map((g) => ({ text: g.text, finish: g.finish })));
    const row: SweepRow = { ...s, ...metrics, score: sweepScore(metrics), tokens: gens.reduce((n, g) => n + g.ids.length, 0), seconds: (performance.now() - t0) / 1000 };
    rows.push(row);
    opts.onRow?.(row, i, settings.length);
  }
  return rows;
}

/** Rows best first: by score, higher first; a tie keeps the given order. */
export function rankRows<R extends { readonly score: number }>(rows: readonly R[]): R[] {
  return rows.map((r, i) => ({ r, i })).sort((a, b) => b.r.score - a.r.score || a.i - b.i).map((x) => x.r);
}

const LEADERBOARD_COLUMNS = [
  'rank', 'name', 'score', 'distinct_2', 'repeated_4gram_rate', 'loop_rate', 'completion_rate',
  'temperature', 'top_k', 'top_p', 'repetition_penalty', 'no_repeat_ngram_size', 'texts', 'tokens', 'seconds',
] as const;

/** A leaderboard CSV (tuning_leaderboard.csv, holdout_leaderboard.csv): ranked rows, best first. */
export function leaderboardCsv(rows: readonly SweepRow[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'number' ? String(Number.isInteger(v) ? v : Number(v.toPrecision(6))) : String(v));
  const lines = rankRows(rows).map((r, i) => LEADERBOARD_COLUMNS.map((c) => (c === 'rank' ? String(i + 1) : cell(r[c]))).join(','));
  return `${[LEADERBOARD_COLUMNS.join(','), ...lines].join('\n')}\n`;
}

/**
 * Splits prompts into tuning and held-out ones: a seeded shuffle (Fisher–Yates over `order`, e.g.
 * model/nn/rng permutation) whose first round(fraction · n) go to held-out (at least 1 and at most
 * n − 1 when n ≥ 2). Both keep the prompts' original order.
 */
export function splitHoldout<T>(items: readonly T[], fraction: number, order: ArrayLike<number>): { tuning: T[]; holdout: T[] } {
  if (!(fraction > 0 && fraction < 1)) throw new ConfigError(`eval sweep: --holdout-fraction must be between 0 and 1 (exclusive), got ${fraction}`);
  if (items.length < 2) throw new ConfigError(`eval sweep: ${items.length} prompt(s) cannot be split into tuning and held-out prompts; give at least 2 or --holdout-prompts FILE`);
  const k = Math.min(items.length - 1, Math.max(1, Math.round(fraction * items.length)));
  const held = new Set(Array.from({ length: k }, (_, i) => order[i]));
  return { tuning: items.filter((_, i) => !held.has(i)), holdout: items.filter((_, i) => held.has(i)) };
}
