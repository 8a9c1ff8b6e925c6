import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../src/core/events.ts';
import { historyCsv } from '../../src/dashboard/historyCsv.ts';

const step = (s: number, loss: number): TrainEvent =>
  ({ type: 'train/step', step: s, time: 0, epoch: 0, loss, lr: 0.001, tokPerSec: 100, elapsedS: s }) as unknown as TrainEvent;
const wm = (s: number): TrainEvent => ({ type: 'eval/watermark', step: s, time: 0, auc: 0.96875, f1: 0.875, meanZGenerated: 9, meanZReal: -1 });

describe('historyCsv', () => {
  it('puts an eval/watermark event on its step row (watermark_auc, watermark_f1)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vf-hist-')), 'history.csv');
    const sink = historyCsv(path);
    for (const e of [step(10, 2.5), wm(10), step(20, 2)]) sink.next!(e);
    sink.complete!();
    expect(readFileSync(path, 'utf8')).toBe('step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s,watermark_auc,watermark_f1\n10,0,2.50000,,0.00100000,100,10,0.968750,0.875000\n20,0,2,,0.00100000,100,20,,\n');
  });

  it('an existing file keeps its own columns (a history begun before the watermark columns)', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'vf-hist-')), 'history.csv');
    writeFileSync(path, 'step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s\n5,0,3,,0.001,100,5\n');
    const sink = historyCsv(path);
    for (const e of [step(10, 2.5), wm(10)]) sink.next!(e);
    sink.complete!();
    expect(readFileSync(path, 'utf8').split('\n').slice(2)).toEqual(['10,0,2.50000,,0.00100000,100,10', '']);
  });
});
