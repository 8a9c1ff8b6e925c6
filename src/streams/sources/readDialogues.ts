import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { ChatRole, ChatTurn } from '../../model/tokenizer/chatTemplate.ts';
import { readRecords } from './readRecords.ts';
import { compileFilter } from './rowFilter.ts';

/** One conversation of a dialogue corpus. */
export interface Dialogue {
  /** Global row index (what the train/validation split hashes), counted before filtering. */
  readonly index: number;
  readonly turns: readonly ChatTurn[];
}

export interface DialogueOptions {
  /** Column holding the turns; '' finds `conversation` or `messages`. @default '' */
  readonly chatColumn?: string;
  /** A filter expression over the row's columns (rowFilter.ts); '' keeps every row. @default '' */
  readonly filter?: string;
  /** Stop after this many rows read (kept or not); 0 reads all. @default 0 */
  readonly maxDocs?: number;
  readonly cwd?: string;
}

/** Rows kept and dropped by the filter, filled in while reading. */
export interface DialogueCounts {
  kept: number;
  dropped: number;
}

const DEFAULT_COLUMNS = ['conversation', 'messages'];
const ROLE_NAMES: Record<string, ChatRole> = { system: 'system', user: 'user', human: 'user', assistant: 'assistant', gpt: 'assistant', bot: 'assistant', model: 'assistant' };

/**
 * The conversations of a Parquet or JSONL dialogue corpus: each row's list of turns
 * (`{role, content}`, or ShareGPT's `{from, value}` with human/gpt), rows the filter rejects skipped
 * and counted in `counts`. The chat column and the filter's columns are checked against the first
 * row of each file (a ConfigError lists the columns it has).
 *
 * @throws DataError for a row whose turns are not a list of turns (naming the file and line or row).
 */
export async function* readDialogues(spec: string, opts: DialogueOptions = {}, counts: DialogueCounts = { kept: 0, dropped: 0 }): AsyncGenerator<Dialogue> {
  const limit = opts.maxDocs ? opts.maxDocs : Infinity;
  let checkedFor: readonly string[] | null = null;
  let column = '';
  let keep: ((row: Readonly<Record<string, unknown>>) => boolean) | null = null;
  for await (const rec of readRecords(spec, opts.cwd)) {
    if (rec.index >= limit) return;
    if (rec.columns !== checkedFor) {
      checkedFor = rec.columns;
      column = chatColumnOf(rec.columns, opts.chatColumn ?? '', rec.source);
      keep = opts.filter ? compileFilter(opts.filter, rec.columns) : null;
    }
    if (keep && !keep(rec.row)) {
      counts.dropped++;
      continue;
    }
    counts.kept++;
    yield { index: rec.index, turns: turnsOf(rec.row[column], `${rec.where}: column "${column}"`) };
  }
}

function chatColumnOf(columns: readonly string[], wanted: string, source: string): string {
  if (wanted) {
    if (!columns.includes(wanted)) throw new ConfigError(`chat_column: ${source} has no column "${wanted}" (its columns: ${columns.join(', ')})`);
    return wanted;
  }
  const found = DEFAULT_COLUMNS.find((c) => columns.includes(c));
  if (!found) throw new ConfigError(`${source}: no "conversation" or "messages" column (its columns: ${columns.join(', ')}); set chat_column to the column holding the turns`);
  return found;
}

/** A column value → turns; accepts a JSON string holding the list too (CSV-born Parquet files). */
export function turnsOf(value: unknown, where: string): ChatTurn[] {
  const list = typeof value === 'string' ? safeJson(value) : value;
  if (!Array.isArray(list)) throw new DataError(`${where}: expected a list of turns, got ${value === null ? 'null' : typeof value}`);
  return list.map((t: unknown, i: number): ChatTurn => {
    const o = (t ?? {}) as Record<string, unknown>;
    const role = o.role ?? o.from;
    const content = o.content ?? o.value;
    const mapped = typeof role === 'string' ? ROLE_NAMES[role.toLowerCase()] : undefined;
    if (!mapped) throw new DataError(`${where}: turn ${i} has role ${JSON.stringify(role)}; expected system, user or assistant (or ShareGPT's human, gpt)`);
    if (typeof content !== 'string') throw new DataError(`${where}: turn ${i} has no string content`);
    return { role: mapped, content };
  });
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
