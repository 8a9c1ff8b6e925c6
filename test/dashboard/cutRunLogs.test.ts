import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../src/core/events.ts';
import { cutRunLogs, cutRunLogsMessage } from '../../src/dashboard/cutRunLogs.ts';
import { historyCsv } from '../../src/dashboard/historyCsv.ts';
import { metricsJsonl } from '../../src/dashboard/metricsJsonl.ts';

const HEADER = 'step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s';
const row = (step: number) => `${step},0.1,2.5,,0.001,100,1`;
const event = (type: string, step: number) => JSON.stringify({ type, step, time: 1 });
const T = Date.UTC(2025, 0, 2, 3, 4, 5);

/** A run directory as a run killed after step 30 leaves it, its last checkpoint at step 20. */
function killedRun(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vf-cut-'));
  writeFileSync(join(dir, 'history.csv'), [HEADER, ...[1, 10, 20, 25, 30].map(row)].join('\n') + '\n');
  const ev = [event('run/start', 0), ...[1, 10, 20].map((s) => event('train/step', s)), event('checkpoint', 20), event('train/step', 25), event('train/step', 30)];
  writeFileSync(join(dir, 'metrics.jsonl'), `${ev.join('\n')}\n{"type":"train/st`); // the last write was cut by the kill
  return dir;
}

const lines = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean);
const steps = (p: string) => lines(p).map((l) => (l.startsWith('{') ? JSON.parse(l).step : Number(l.split(',')[0])));

describe('cutRunLogs', () => {
  it('resuming at step 20 keeps the lines up to 20 and moves the later ones (and a torn last line) aside, deleting nothing', () => {
    const dir = killedRun();
    const cut = cutRunLogs(dir, { step: 20, fresh: false, time: T });
    expect(cut.map((c) => [c.file, c.moved, c.aside])).toEqual([
      [join(dir, 'history.csv'), 2, join(dir, 'history.abandoned-20250102T030405Z.csv')],
      [join(dir, 'metrics.jsonl'), 3, join(dir, 'metrics.abandoned-20250102T030405Z.jsonl')],
    ]);
    expect(lines(join(dir, 'history.csv'))).toEqual([HEADER, row(1), row(10), row(20)]);
    expect(lines(join(dir, 'history.abandoned-20250102T030405Z.csv'))).toEqual([HEADER, row(25), row(30)]);
    expect(steps(join(dir, 'metrics.jsonl'))).toEqual([0, 1, 10, 20, 20]);
    expect(lines(join(dir, 'metrics.abandoned-20250102T030405Z.jsonl'))).toEqual([event('train/step', 25), event('train/step', 30), '{"type":"train/st']);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').endsWith('\n')).toBe(true);
    expect(cutRunLogsMessage(cut, { step: 20, fresh: false })).toBe(
      'resumed at step 20: moved 2 lines of history.csv to history.abandoned-20250102T030405Z.csv and 3 lines of metrics.jsonl to metrics.abandoned-20250102T030405Z.jsonl (steps after the checkpoint, from a run that ended without a later one), so each file holds one trajectory',
    );
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('changes nothing when no line lies past the step (a run stopped at its checkpoint), or there are no files', () => {
    const dir = killedRun();
    const before = readFileSync(join(dir, 'history.csv'), 'utf8');
    writeFileSync(join(dir, 'metrics.jsonl'), `${event('run/start', 0)}\n`);
    expect(cutRunLogs(dir, { step: 30, fresh: false, time: T })).toEqual([]);
    expect(readFileSync(join(dir, 'history.csv'), 'utf8')).toBe(before);
    expect(cutRunLogs(mkdtempSync(join(tmpdir(), 'vf-cut-empty-')), { step: 0, fresh: true, time: T })).toEqual([]);
    expect(cutRunLogsMessage([], { step: 3, fresh: false })).toBeNull();
  });

  it('a fresh run moves an earlier run aside whole (history.csv keeps its header); a second cut in the same second gets its own side file', () => {
    const dir = killedRun();
    const cut = cutRunLogs(dir, { step: 0, fresh: true, time: T });
    expect(cut.map((c) => c.moved)).toEqual([5, 8]);
    expect(lines(join(dir, 'history.csv'))).toEqual([HEADER]);
    expect(readFileSync(join(dir, 'metrics.jsonl'), 'utf8')).toBe('');
    appendFileSync(join(dir, 'history.csv'), `${row(1)}\n`);
    const again = cutRunLogs(dir, { step: 0, fresh: true, time: T });
    expect(again.map((c) => c.aside)).toEqual([join(dir, 'history.abandoned-20250102T030405Z-2.csv')]);
    expect(cutRunLogsMessage(again, { step: 0, fresh: true })).toMatch(/^a fresh run in a directory with an earlier run's logs: moved 1 line of history.csv/);
  });
});

describe('history.csv and metrics.jsonl at a checkpoint', () => {
  it("history.csv writes the pending row when a checkpoint comes, so a kill right after it loses no row up to the checkpoint", () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-sink-'));
    const csv = historyCsv(join(dir, 'history.csv'));
    const jsonl = metricsJsonl(join(dir, 'metrics.jsonl'));
    const evs: TrainEvent[] = [
      { type: 'train/step', step: 18, time: 1, epoch: 0.1, loss: 2, lr: 1e-3, gradNorm: 1, tokens: 10, tokPerSec: 5, ms: 1, elapsedS: 1, etaS: 1, totalSteps: 100, memBytes: 0, numTensors: 0 },
      { type: 'checkpoint', step: 20, time: 2, path: '/x/step-0000020', bytes: 1 },
    ];
    for (const e of evs) {
      csv.next!(e);
      jsonl.next!(e);
    }
    // no later event, no completion: as a process killed here leaves the files
    expect(lines(join(dir, 'history.csv'))).toEqual([`${HEADER},watermark_auc,watermark_f1`, '18,0.100000,2,,0.00100000,5,1,,']);
    expect(steps(join(dir, 'metrics.jsonl'))).toEqual([18, 20]);
    expect(existsSync(join(dir, 'history.csv'))).toBe(true);
  });
});
