import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { generateMany } from '../../model/nn/generateBatch.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { readDialogues } from '../../streams/sources/readDialogues.ts';
import { readRecords } from '../../streams/sources/readRecords.ts';
import { preferenceEncoder } from './encodePreference.ts';
import type { Text, Turn } from './preferenceRecords.ts';
import { stopIds } from './prefEvaluator.ts';

/** Sampling that provokes one failure mode of an SFT model, for rejected completions. */
export interface RejectPreset {
  readonly temperature: number;
  /** 1 = no penalty. */
  readonly repetitionPenalty: number;
  readonly maxNewTokens: number;
}

/**
 * The reference work's presets: loops (hot, no repetition penalty, long: the model circles), canned
 * (cold, short: stock replies), tutorial (long and penalised: rambling step-by-step answers).
 * top_k 50 as Transformers' generate defaults to.
 */
export const REJECT_PRESETS: Readonly<Record<string, RejectPreset>> = {
  loops: { temperature: 1.2, repetitionPenalty: 1.0, maxNewTokens: 400 },
  canned: { temperature: 0.4, repetitionPenalty: 1.15, maxNewTokens: 80 },
  tutorial: { temperature: 0.7, repetitionPenalty: 1.1, maxNewTokens: 500 },
};
export const REJECT_TOP_K = 50;

/** A prompt and the dataset's reference answer to it (the chosen completion). */
export interface PromptWithAnswer {
  readonly prompt: Text;
  readonly chosen: Text;
}

const ANSWER_KEYS = ['chosen', 'completion', 'answer', 'response', 'reference'];

/**
 * Prompts with reference answers from .jsonl/.parquet rows, either
 * - {prompt, chosen | completion | answer | response | reference} (text or turns), or
 * - dialogue rows (a `conversation`/`messages` list of turns, or `chatColumn`; `filter` as for SFT):
 *   the prompt is every turn before the last assistant turn, the reference answer that turn.
 */
export async function readPromptsWithAnswers(spec: string, opts: { chatColumn?: string; filter?: string; limit?: number } = {}): Promise<PromptWithAnswer[]> {
  const limit = opts.limit || Infinity;
  const out: PromptWithAnswer[] = [];
  let dialogue = false;
  for await (const r of readRecords(spec)) {
    if (!('prompt' in r.row)) {
      dialogue = true;
      break;
    }
    const key = ANSWER_KEYS.find((k) => k in r.row);
    if (!key) throw new DataError(`${r.where}: a prompt row needs its reference answer in one of ${ANSWER_KEYS.join(', ')} (it has ${r.columns.join(', ')})`);
    out.push({ prompt: asText(r.row.prompt, 'prompt', r.where), chosen: asText(r.row[key], key, r.where) });
    if (out.length >= limit) break;
  }
  if (!dialogue) return out;
  for await (const d of readDialogues(spec, { chatColumn: opts.chatColumn ?? '', filter: opts.filter ?? '' })) {
    let last = d.turns.length - 1;
    while (last >= 0 && d.turns[last].role !== 'assistant') last--;
    if (last < 1) continue; // no assistant answer after a prompt
    out.push({ prompt: d.turns.slice(0, last), chosen: [d.turns[last]] });
    if (out.length >= limit) break;
  }
  return out;
}

function asText(v: unknown, key: string, where: string): Text {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((t) => t && typeof t.role === 'string' && typeof t.content === 'string')) return v as Turn[];
  throw new DataError(`${where}: "${key}" must be a string or a list of {role, content} turns`);
}

export interface RejectedGeneration {
  /** Index into the prompts. */
  readonly item: number;
  readonly preset: string;
  readonly text: string;
  readonly finish: 'eos' | 'length' | 'stop';
}

/**
 * For every prompt and preset, one completion of the model (stopping at EOS or `<|end|>`), seeded by
 * `seed` + its position so a rerun writes the same file. Prompts render as `preference` training
 * will encode them (the chat template with the assistant header, or the plain text).
 */
export async function generateRejected(
  model: { readonly weights: Weights; readonly gpt: GptConfig; readonly tokenizer: Tokenizer },
  items: readonly PromptWithAnswer[],
  presets: readonly string[],
  opts: { readonly seed: number; readonly batchSize?: number; readonly onProgress?: (done: number, total: number) => void },
): Promise<RejectedGeneration[]> {
  const unknown = presets.filter((p) => !(p in REJECT_PRESETS));
  if (unknown.length) throw new ConfigError(`--presets: unknown preset ${unknown.join(', ')}; one or more of ${Object.keys(REJECT_PRESETS).join(', ')}`);
  const encode = preferenceEncoder(model.tokenizer);
  let prompts: (readonly number[])[];
  try {
    prompts = items.map((it) => encode(it.prompt, typeof it.prompt === 'string' ? '' : [{ role: 'assistant', content: 'x' }]).prompt);
  } catch (e) {
    throw new DataError(`${(e as Error).message} (conversational prompts need a checkpoint whose tokenizer has the chat tokens: an SFT checkpoint)`);
  }
  const out: RejectedGeneration[] = [];
  let done = 0;
  for (const [k, name] of presets.entries()) {
    const p = REJECT_PRESETS[name];
    const gens = await generateMany({ weights: model.weights, config: model.gpt, tokenizer: model.tokenizer }, prompts, {
      maxNewTokens: p.maxNewTokens,
      temperature: p.temperature,
      topK: REJECT_TOP_K,
      repetitionPenalty: p.repetitionPenalty,
      eosIds: stopIds(model.tokenizer),
      seed: opts.seed + k * items.length,
      batchSize: opts.batchSize ?? 8,
      onProgress: (n) => opts.onProgress?.(done + n, presets.length * items.length),
    });
    done += items.length;
    gens.forEach((g, item) => out.push({ item, preset: name, text: g.text.trim(), finish: g.finish }));
  }
  return out;
}

/**
 * Rows in TRL's layouts: paired {prompt, chosen, rejected, preset} (one per prompt and preset), or
 * unpaired {prompt, completion, label} (the reference answer once with label true, each generation
 * with label false and its preset). A conversational prompt gets completions as assistant turns.
 */
export function preferenceRows(items: readonly PromptWithAnswer[], rejected: readonly RejectedGeneration[], layout: 'paired' | 'unpaired'): Record<string, unknown>[] {
  const asCompletion = (prompt: Text, text: string): Text => (typeof prompt === 'string' ? text : [{ role: 'assistant', content: text }]);
  const chosenOf = (it: PromptWithAnswer): Text => (typeof it.prompt === 'string' || typeof it.chosen !== 'string' ? it.chosen : asCompletion(it.prompt, it.chosen));
  if (layout === 'paired') return rejected.map((r) => ({ prompt: items[r.item].prompt, chosen: chosenOf(items[r.item]), rejected: asCompletion(items[r.item].prompt, r.text), preset: r.preset }));
  return [
    ...items.map((it) => ({ prompt: it.prompt, completion: chosenOf(it), label: true })),
    ...rejected.map((r) => ({ prompt: items[r.item].prompt, completion: asCompletion(items[r.item].prompt, r.text), label: false, preset: r.preset })),
  ];
}
