import type { RunEndEvent, RunStartEvent, SampleEvent, TrainStepEvent } from '../../core/events.ts';
import type { HistoryPoint } from '../plots/lossPlots.ts';
import type { ScatterPoint } from '../plots/distributionPlots.ts';
import { csvRecords } from './parseCsv.ts';

/** history.csv (`step,epoch,loss,val_loss,lr,...[,watermark_auc,watermark_f1]`) → points; an empty field is null, rows without a step are skipped. */
export function parseHistoryCsv(text: string): HistoryPoint[] {
  const num = (s: string | undefined) => (s === undefined || s.trim() === '' || !Number.isFinite(Number(s)) ? null : Number(s));
  return csvRecords(text).records.flatMap((r) => {
    const step = num(r.step);
    if (step === null) return [];
    const wm = 'watermark_auc' in r ? { watermarkAuc: num(r.watermark_auc), watermarkF1: num(r.watermark_f1) } : {};
    return [{ step, loss: num(r.loss), valLoss: num(r.val_loss), lr: num(r.lr), ...wm }];
  });
}

/** What a report takes from metrics.jsonl: the run's first start (time) and last start (config), its end, last logged step, samples. */
export interface RunEvents {
  readonly firstStart?: RunStartEvent;
  readonly lastStart?: RunStartEvent;
  readonly end?: RunEndEvent;
  readonly lastStep?: TrainStepEvent;
  readonly samples: readonly SampleEvent[];
  /** Lines that were not JSON objects with a `type` (a line cut by a crash): skipped and counted. */
  readonly badLines: number;
}

/** metrics.jsonl → the events a report shows. */
export function parseMetricsJsonl(text: string): RunEvents {
  let firstStart: RunStartEvent | undefined;
  let lastStart: RunStartEvent | undefined;
  let end: RunEndEvent | undefined;
  let lastStep: TrainStepEvent | undefined;
  const samples: SampleEvent[] = [];
  let badLines = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let e: { type?: unknown };
    try {
      e = JSON.parse(line);
    } catch {
      badLines++;
      continue;
    }
    if (typeof e !== 'object' || e === null || typeof e.type !== 'string') badLines++;
    else if (e.type === 'run/start') {
      firstStart ??= e as RunStartEvent;
      lastStart = e as RunStartEvent;
    } else if (e.type === 'run/end') end = e as RunEndEvent;
    else if (e.type === 'train/step') lastStep = e as TrainStepEvent;
    else if (e.type === 'sample') samples.push(e as SampleEvent);
  }
  return { firstStart, lastStart, end, lastStep, samples, badLines };
}

const pick = (header: readonly string[], names: readonly string[]) => names.find((n) => header.includes(n));

/**
 * An author-space PCA points CSV → points. `eval authors`' author_pca_points.csv (`kind,author,x,y`,
 * kind real|generated|centroid): real texts and centroids take their author as the group, generated
 * texts `generated`. Other layouts: x from pc1|x|pca1|pc_1, y from pc2|y|pca2|pc_2 (any case), the
 * group from kind|group|source|type|label|author. Null when no x/y columns exist.
 */
export function parsePcaPoints(text: string): ScatterPoint[] | null {
  const { header, records } = csvRecords(text);
  const lower = header.map((h) => h.trim().toLowerCase());
  const at = (names: readonly string[]) => {
    const n = pick(lower, names);
    return n === undefined ? undefined : header[lower.indexOf(n)];
  };
  const x = at(['pc1', 'x', 'pca1', 'pc_1']);
  const y = at(['pc2', 'y', 'pca2', 'pc_2']);
  if (!x || !y) return null;
  const kind = at(['kind']);
  const author = at(['author']);
  const versiflow = kind && author && records.every((r) => ['real', 'generated', 'centroid'].includes(r[kind]));
  const group = at(['kind', 'group', 'source', 'type', 'label', 'author']);
  return records
    .map((r): ScatterPoint =>
      versiflow
        ? { x: Number(r[x]), y: Number(r[y]), group: r[kind] === 'generated' ? 'generated' : r[author] || '—', centroid: r[kind] === 'centroid' }
        : { x: Number(r[x]), y: Number(r[y]), group: group ? r[group] || '—' : 'texts' },
    )
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
}
