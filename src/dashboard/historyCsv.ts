import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Observer } from 'rxjs';
import type { TrainEvent } from '../core/events.ts';
import { syncFile } from './durable.ts';

export const HISTORY_COLUMNS = ['step', 'epoch', 'loss', 'val_loss', 'lr', 'tokens_per_sec', 'elapsed_s', 'watermark_auc', 'watermark_f1'] as const;

type Row = Partial<Record<string, number>>;

/**
 * Appends one row per logged step (and per evaluation step) to a CSV file. A step's val_loss arrives
 * after its train/step event, so a row is written once an event of a later step (or the end) comes.
 * An existing file is appended to (a resumed run continues it; cutRunLogs first moves aside the rows
 * past the checkpoint it resumes from). At a `checkpoint` event the step's row is written and the file
 * fsynced, so after a crash (or a power loss) the file holds every row up to the last checkpoint.
 * watermark_auc and watermark_f1 come from eval/watermark events. An existing file keeps its own
 * header: rows are written in its columns (a file begun before a column existed stays consistent).
 * A mixture's run/start adds a `val_loss_<name>` column per source to a file without rows yet, filled
 * from its eval events' valLossBySource.
 */
export function historyCsv(path: string): Partial<Observer<TrainEvent>> {
  mkdirSync(dirname(path), { recursive: true });
  if (!existsSync(path)) writeFileSync(path, `${HISTORY_COLUMNS.join(',')}\n`);
  let columns = headerOf(path).split(',');
  let pending: { step: number; row: Row } | null = null;
  const flush = () => {
    if (!pending) return;
    const r = pending.row;
    appendFileSync(path, `${columns.map((c) => (c === 'step' ? pending!.step : fmt(r[c]))).join(',')}\n`);
    pending = null;
  };
  const rowFor = (step: number): Row => {
    if (pending && pending.step !== step) flush();
    if (!pending) pending = { step, row: {} };
    return pending.row;
  };
  return {
    next: (e) => {
      if (e.type === 'run/start' && e.mixture) columns = withSourceColumns(path, columns, e.mixture.map((m) => `val_loss_${m.name}`));
      else if (e.type === 'train/step') Object.assign(rowFor(e.step), { epoch: e.epoch, loss: e.loss, lr: e.lr, tokens_per_sec: e.tokPerSec, elapsed_s: e.elapsedS });
      else if (e.type === 'eval') {
        const row = rowFor(e.step);
        row.val_loss = e.valLoss;
        for (const [name, v] of Object.entries(e.valLossBySource ?? {})) row[`val_loss_${name}`] = v;
      }
      else if (e.type === 'eval/watermark') Object.assign(rowFor(e.step), { watermark_auc: e.auc, watermark_f1: e.f1 });
      else if (e.type === 'pref/step') Object.assign(rowFor(e.step), { loss: e.loss, lr: e.lr, elapsed_s: e.elapsedS }); // kto, dpo: their loss on the same curve
      else if (e.type === 'checkpoint') {
        // checkpointEvery comes last in a step: the pending row (this step's or an earlier one) is complete
        flush();
        syncFile(path);
      } else if (e.type === 'run/end') flush();
    },
    complete: flush,
    error: flush,
  };
}

/** `extra` columns added to the header of a file that has no rows yet; a file with rows keeps its columns. */
function withSourceColumns(path: string, columns: readonly string[], extra: readonly string[]): string[] {
  const missing = extra.filter((c) => !columns.includes(c));
  if (missing.length === 0 || statSync(path).size > Buffer.byteLength(`${columns.join(',')}\n`)) return [...columns];
  const next = [...columns, ...missing];
  writeFileSync(path, `${next.join(',')}\n`);
  return next;
}

const fmt = (v: number | undefined): string => (v === undefined || !Number.isFinite(v) ? '' : Number.isInteger(v) ? String(v) : v.toPrecision(6));

/** The first line of a file (read from its first KiB, not the whole history). */
function headerOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1024);
    return buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0)).split('\n', 1)[0];
  } finally {
    closeSync(fd);
  }
}
