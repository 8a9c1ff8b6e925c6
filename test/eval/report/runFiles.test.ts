import { describe, expect, it } from 'vitest';
import { parseHistoryCsv, parseMetricsJsonl, parsePcaPoints } from '../../../src/eval/report/runFiles.ts';

describe('run files', () => {
  it('history.csv by column name: empty fields null, extra columns ignored', () => {
    const csv = 'step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s,extra\n1,0.01,4.88,,6e-5,600,1.7,x\n20,0.09,3.77,3.69,0.0012,5880,5.35,\n';
    expect(parseHistoryCsv(csv)).toEqual([
      { step: 1, loss: 4.88, valLoss: null, lr: 6e-5 },
      { step: 20, loss: 3.77, valLoss: 3.69, lr: 0.0012 },
    ]);
    const wm = 'step,loss,val_loss,lr,watermark_auc,watermark_f1\n10,4,,0.1,,\n20,3.5,3.4,0.1,0.96,0.9\n';
    expect(parseHistoryCsv(wm)[1]).toEqual({ step: 20, loss: 3.5, valLoss: 3.4, lr: 0.1, watermarkAuc: 0.96, watermarkF1: 0.9 });
  });

  it('metrics.jsonl: first and last run/start, run/end, last train/step, samples; a cut line is counted, not fatal', () => {
    const lines = [
      { type: 'run/start', step: 0, time: 1, name: 'a', config: { lr: 1 } },
      { type: 'train/step', step: 5, time: 2, loss: 4 },
      { type: 'sample', step: 5, time: 3, prompt: '', text: 'x' },
      { type: 'run/start', step: 5, time: 4, name: 'a', config: { lr: 2 } },
      { type: 'train/step', step: 10, time: 5, loss: 3 },
      { type: 'run/end', step: 10, time: 6, reason: 'completed', elapsedS: 9 },
    ].map((e) => JSON.stringify(e));
    const e = parseMetricsJsonl(`${lines.join('\n')}\n{"type":"train/st`);
    expect(e.firstStart?.time).toBe(1);
    expect(e.lastStart?.config).toEqual({ lr: 2 });
    expect(e.lastStep?.step).toBe(10);
    expect(e.end?.reason).toBe('completed');
    expect(e.samples.map((s) => s.text)).toEqual(['x']);
    expect(e.badLines).toBe(1);
  });

  it('PCA points by column name (pc1/pc2 or x/y, a group column), bad numbers dropped', () => {
    expect(parsePcaPoints('author,PC1,PC2,kind\nПушкин,1,2,author\n,3,-1,generated\n,x,1,generated\n')).toEqual([
      { x: 1, y: 2, group: 'author' },
      { x: 3, y: -1, group: 'generated' },
    ]);
    expect(parsePcaPoints('x,y\n1,2\n')).toEqual([{ x: 1, y: 2, group: 'texts' }]);
    // eval authors' layout: kind real|generated|centroid, real texts and centroids grouped by author
    expect(parsePcaPoints('kind,author,x,y\nreal,Блок,1,2\ngenerated,generated,3,4\ncentroid,Блок,1.5,2.5\ncentroid,generated,3,4\n')).toEqual([
      { x: 1, y: 2, group: 'Блок', centroid: false },
      { x: 3, y: 4, group: 'generated', centroid: false },
      { x: 1.5, y: 2.5, group: 'Блок', centroid: true },
      { x: 3, y: 4, group: 'generated', centroid: true },
    ]);
    expect(parsePcaPoints('a,b\n1,2\n')).toBeNull();
  });
});
