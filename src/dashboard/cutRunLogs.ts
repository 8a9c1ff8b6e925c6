import { existsSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { syncDir, writeDurably } from './durable.ts';

/** One run log file that had lines past the cut. */
export interface CutFile {
  readonly file: string;
  /** Lines moved aside (rows of history.csv, events of metrics.jsonl, or a torn last line). */
  readonly moved: number;
  /** The side file they went to: `<name>.abandoned-<time><ext>` beside the file. */
  readonly aside: string;
}

/** The step of one line, or null for a line that is not a complete record (a torn write). */
type StepOf = (line: string) => number | null;

const csvStep: StepOf = (line) => {
  const n = Number(line.slice(0, line.indexOf(',')));
  return line.includes(',') && Number.isInteger(n) ? n : null;
};

const jsonlStep: StepOf = (line) => {
  try {
    const e = JSON.parse(line) as { step?: unknown };
    return typeof e.step === 'number' ? e.step : null;
  } catch {
    return null;
  }
};

/**
 * Makes a run's history.csv and metrics.jsonl one trajectory again before a run at `step` appends
 * to them: a run resumed from the checkpoint of step S keeps the lines of steps ≤ S and moves those
 * after S (written by a run that went on and died, or was stopped, before its next checkpoint) to
 * `history.abandoned-<time>.csv` and `metrics.abandoned-<time>.jsonl`, never deleting them. A fresh
 * run (`fresh`, step 0) moves every line of an earlier run aside (history.csv keeps its header).
 * A last line without its newline (a write cut by a crash) is moved aside too. The side file is
 * written and fsynced before the trimmed file replaces the original by a rename, so a crash in
 * between loses nothing (the next run moves the same lines again).
 * Returns the files that changed; none when there was nothing past the cut.
 */
export function cutRunLogs(runDir: string, o: { readonly step: number; readonly fresh: boolean; readonly time: number }): CutFile[] {
  const stamp = new Date(o.time).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const out: CutFile[] = [];
  const csv = cutFile(join(runDir, 'history.csv'), { ...o, stamp, header: true, stepOf: csvStep });
  if (csv) out.push(csv);
  const jsonl = cutFile(join(runDir, 'metrics.jsonl'), { ...o, stamp, header: false, stepOf: jsonlStep });
  if (jsonl) out.push(jsonl);
  return out;
}

/** The warning a cut deserves, for the run's event stream. */
export function cutRunLogsMessage(cut: readonly CutFile[], o: { readonly step: number; readonly fresh: boolean }): string | null {
  if (cut.length === 0) return null;
  const what = cut.map((c) => `${c.moved} line${c.moved === 1 ? '' : 's'} of ${basename(c.file)} to ${basename(c.aside)}`).join(' and ');
  return o.fresh
    ? `a fresh run in a directory with an earlier run's logs: moved ${what}, so each file holds one run`
    : `resumed at step ${o.step}: moved ${what} (steps after the checkpoint, from a run that ended without a later one), so each file holds one trajectory`;
}

function cutFile(path: string, o: { step: number; fresh: boolean; stamp: string; header: boolean; stepOf: StepOf }): CutFile | null {
  if (!existsSync(path)) return null;
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const torn = lines.pop() ?? ''; // '' when the file ends with a newline, as every complete write does
  const keep: string[] = [];
  const moved: string[] = [];
  lines.forEach((line, i) => {
    if (o.header && i === 0) return void keep.push(line);
    const s = o.stepOf(line);
    (s !== null && !o.fresh && s <= o.step ? keep : moved).push(line);
  });
  if (torn) moved.push(torn);
  if (moved.length === 0) return null;
  const ext = extname(path);
  let aside = join(dirname(path), `${basename(path, ext)}.abandoned-${o.stamp}${ext}`);
  for (let k = 2; existsSync(aside); k++) aside = join(dirname(path), `${basename(path, ext)}.abandoned-${o.stamp}-${k}${ext}`);
  const header = o.header && lines.length > 0 ? `${lines[0]}\n` : '';
  writeDurably(aside, header + moved.map((l) => `${l}\n`).join(''));
  const tmp = `${path}.cut-${process.pid}.tmp`;
  writeDurably(tmp, keep.map((l) => `${l}\n`).join(''));
  renameSync(tmp, path);
  syncDir(dirname(path));
  return { file: path, moved: moved.length, aside };
}
