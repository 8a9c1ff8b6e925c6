import { DataError } from '../../core/errors/DataError.ts';
import { readRecords } from '../../streams/sources/readRecords.ts';

/** A chat turn as TRL's conversational rows hold it. */
export interface Turn {
  readonly role: string;
  readonly content: string;
}

/** A prompt or completion: plain text, or a list of turns (conversational). */
export type Text = string | readonly Turn[];

/**
 * A preference example in one of TRL's two layouts:
 * - unpaired (KTO): {prompt, completion, label} — label true = desirable;
 * - paired (DPO, and KTO after unpairing): {prompt, chosen, rejected}.
 */
export type PreferenceRecord =
  | { readonly kind: 'unpaired'; readonly prompt: Text; readonly completion: Text; readonly label: boolean }
  | { readonly kind: 'paired'; readonly prompt: Text; readonly chosen: Text; readonly rejected: Text };

/**
 * A row → a preference record: `chosen` + `rejected` make it paired, `completion` + `label` unpaired.
 * @throws DataError naming the row and the columns it has when it is neither, or a field has the wrong type.
 */
export function parsePreferenceRecord(row: Readonly<Record<string, unknown>>, where: string): PreferenceRecord {
  const prompt = text(row.prompt, 'prompt', where);
  if ('chosen' in row || 'rejected' in row) {
    return { kind: 'paired', prompt, chosen: text(row.chosen, 'chosen', where), rejected: text(row.rejected, 'rejected', where) };
  }
  if ('completion' in row) {
    const label = row.label;
    if (typeof label !== 'boolean') throw new DataError(`${where}: "label" must be true or false (got ${JSON.stringify(label)}); unpaired rows are {prompt, completion, label}`);
    return { kind: 'unpaired', prompt, completion: text(row.completion, 'completion', where), label };
  }
  throw new DataError(`${where}: a preference row needs {prompt, chosen, rejected} (paired) or {prompt, completion, label} (unpaired); it has [${Object.keys(row).join(', ')}]`);
}

function text(v: unknown, key: string, where: string): Text {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((t) => t && typeof t === 'object' && typeof t.role === 'string' && typeof t.content === 'string')) {
    return v.map((t: Turn) => ({ role: t.role, content: t.content }));
  }
  throw new DataError(`${where}: "${key}" must be a string or a list of {role, content} turns (got ${v === undefined ? 'nothing' : JSON.stringify(v).slice(0, 80)})`);
}

/** Every record of .jsonl or .parquet preference files (a spec as readCorpus takes it: files, directories, globs, commas). */
export async function readPreferenceRecords(spec: string): Promise<PreferenceRecord[]> {
  const out: PreferenceRecord[] = [];
  for await (const { row, where } of readRecords(spec)) out.push(parsePreferenceRecord(row, where));
  if (out.length === 0) throw new DataError(`${spec}: no preference rows`);
  return out;
}

/** Unpaired view (TRL's unpair_preference_dataset): a paired record becomes (chosen, true) and (rejected, false). */
export function unpair(records: readonly PreferenceRecord[]): { prompt: Text; completion: Text; label: boolean }[] {
  return records.flatMap((r) =>
    r.kind === 'unpaired'
      ? [{ prompt: r.prompt, completion: r.completion, label: r.label }]
      : [
          { prompt: r.prompt, completion: r.chosen, label: true },
          { prompt: r.prompt, completion: r.rejected, label: false },
        ],
  );
}

/**
 * Paired view: paired records as they are; unpaired ones matched by identical prompt, the i-th
 * desirable completion of a prompt with its i-th undesirable one (the rest are left out).
 */
export function pairUp(records: readonly PreferenceRecord[]): { prompt: Text; chosen: Text; rejected: Text }[] {
  const out: { prompt: Text; chosen: Text; rejected: Text }[] = [];
  const open = new Map<string, { prompt: Text; good: Text[]; bad: Text[] }>();
  for (const r of records) {
    if (r.kind === 'paired') {
      out.push({ prompt: r.prompt, chosen: r.chosen, rejected: r.rejected });
      continue;
    }
    const key = JSON.stringify(r.prompt);
    const g = open.get(key) ?? { prompt: r.prompt, good: [], bad: [] };
    open.set(key, g);
    (r.label ? g.good : g.bad).push(r.completion);
  }
  for (const g of open.values()) for (let i = 0; i < Math.min(g.good.length, g.bad.length); i++) out.push({ prompt: g.prompt, chosen: g.good[i], rejected: g.bad[i] });
  return out;
}
