import { DataError } from '../core/errors/DataError.ts';
import type { Generation } from '../model/nn/generateBatch.ts';
import type { Finish } from './behaviour.ts';

/**
 * One line of gen.jsonl (Poetru's generated_poems.jsonl fields, plus `finish`): `prompt` is the prompt
 * text, `text` the generated continuation only, `token_ids` its ids (an EOS that ended it excluded),
 * `finish` how it ended.
 */
export interface GenRecord {
  readonly id: number;
  readonly prompt: string;
  readonly text: string;
  readonly token_ids: readonly number[];
  readonly finish?: Finish;
}

/** Records → JSONL, one object per line, keys in the order id, prompt, text, token_ids, finish. */
export function formatGenJsonl(records: readonly GenRecord[]): string {
  return records.map((r) => `${JSON.stringify({ id: r.id, prompt: r.prompt, text: r.text, token_ids: r.token_ids, ...(r.finish ? { finish: r.finish } : {}) })}\n`).join('');
}

const FINISHES: readonly string[] = ['eos', 'stop', 'length'];

/**
 * Parses gen.jsonl: each non-blank line an object with a string `text`; `prompt` (string), `id`,
 * `token_ids` and `finish` (eos|stop|length) are optional (a missing id is the line's index).
 * @throws DataError naming the line of a bad record.
 */
export function parseGenJsonl(text: string, where = 'gen.jsonl'): GenRecord[] {
  const out: GenRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new DataError(`${where}:${i + 1}: not JSON; expected one {"id","prompt","text","token_ids","finish"} object per line`);
    }
    if (typeof o !== 'object' || o === null || typeof o.text !== 'string') throw new DataError(`${where}:${i + 1}: a record needs a "text" string (the generated continuation)`);
    if (o.finish !== undefined && !FINISHES.includes(o.finish as string)) throw new DataError(`${where}:${i + 1}: "finish" must be one of ${FINISHES.join(', ')}, got ${JSON.stringify(o.finish)}`);
    const ids = Array.isArray(o.token_ids) ? (o.token_ids as number[]) : [];
    out.push({
      id: typeof o.id === 'number' ? o.id : out.length,
      prompt: typeof o.prompt === 'string' ? o.prompt : '',
      text: o.text,
      token_ids: ids,
      ...(o.finish ? { finish: o.finish as Finish } : {}),
    });
  });
  return out;
}

/** Prompt texts and their generations → records with ids 0, 1, 2, … */
export function toGenRecords(prompts: readonly string[], gens: readonly Generation[]): GenRecord[] {
  return gens.map((g, i) => ({ id: i, prompt: prompts[i], text: g.text, token_ids: g.ids, finish: g.finish }));
}
