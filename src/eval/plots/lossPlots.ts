import { finite, type PlotSpec, plotBase } from './plotBase.ts';

/** One logged step of a run's history.csv: null where the row has no value. */
export interface HistoryPoint {
  readonly step: number;
  readonly loss: number | null;
  readonly valLoss: number | null;
  readonly lr: number | null;
  /** In-training watermark evaluation (history.csv's watermark_auc / watermark_f1, from eval/watermark events). */
  readonly watermarkAuc?: number | null;
  readonly watermarkF1?: number | null;
}

/** Long-form rows {step, loss, series} for the train and validation curves, non-finite values dropped. */
function lossRows(history: readonly HistoryPoint[], keep: (step: number, loss: number) => boolean) {
  return history.flatMap((h) => [
    ...(finite(h.loss) && keep(h.step, h.loss) ? [{ step: h.step, loss: h.loss, series: 'train' }] : []),
    ...(finite(h.valLoss) && keep(h.step, h.valLoss) ? [{ step: h.step, loss: h.valLoss, series: 'validation' }] : []),
  ]);
}

/** A marker on every point while there are few (a long run's curve is a line alone: markers would be most of the SVG's bytes). */
const pointsFor = (n: number) => (n <= 300 ? { size: 16 } : false);

const color = { field: 'series', type: 'nominal', title: null, scale: { domain: ['train', 'validation'] }, legend: { orient: 'top-right' } } as const;

/** Train and validation loss against the step, both axes linear. */
export function lossSpec(history: readonly HistoryPoint[]): PlotSpec {
  const values = lossRows(history, () => true);
  return {
    ...plotBase('Loss'),
    data: { values },
    mark: { type: 'line', point: pointsFor(values.length), strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'loss', type: 'quantitative', title: 'loss (nats/token)', scale: { zero: false } },
      color,
    },
  };
}

/**
 * The same curves in Chinchilla-style coordinates: log step against log loss (both axes logarithmic),
 * where a power law loss = A·step^−α is a straight line of slope −α. Steps and losses ≤ 0 are left out
 * (no logarithm).
 */
export function chinchillaLossSpec(history: readonly HistoryPoint[]): PlotSpec {
  const values = lossRows(history, (step, loss) => step > 0 && loss > 0);
  const losses = values.map((v) => v.loss);
  return {
    ...plotBase('Loss, log–log (Chinchilla-style)'),
    data: { values },
    mark: { type: 'line', point: pointsFor(values.length), strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step (log scale)', scale: { type: 'log', nice: false } },
      y: { field: 'loss', type: 'quantitative', title: 'loss (log scale)', scale: { type: 'log', nice: false }, axis: { values: logTicks(Math.min(...losses), Math.max(...losses)) } },
      color,
    },
  };
}

/** The learning rate the schedule gave at each logged step. */
export function lrSpec(history: readonly HistoryPoint[]): PlotSpec {
  return {
    ...plotBase('Learning rate'),
    data: { values: history.filter((h) => finite(h.lr)).map((h) => ({ step: h.step, lr: h.lr })) },
    mark: { type: 'line', strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'lr', type: 'quantitative', title: 'learning rate', axis: { format: '.1e' } },
    },
  };
}

/** The in-training watermark evaluation (`watermarkEvalEvery`): ROC AUC and F1 at each evaluated step. */
export function watermarkTrainingSpec(history: readonly HistoryPoint[]): PlotSpec {
  const values = history.flatMap((h) => [
    ...(finite(h.watermarkAuc) ? [{ step: h.step, value: h.watermarkAuc, metric: 'ROC AUC' }] : []),
    ...(finite(h.watermarkF1) ? [{ step: h.step, value: h.watermarkF1, metric: 'F1' }] : []),
  ]);
  return {
    ...plotBase('Watermark detection during training'),
    data: { values },
    mark: { type: 'line', point: { size: 24 }, strokeWidth: 1.5 },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'step' },
      y: { field: 'value', type: 'quantitative', title: 'score', scale: { domain: [0, 1] } },
      color: { field: 'metric', type: 'nominal', title: null, scale: { domain: ['ROC AUC', 'F1'] }, legend: { orient: 'bottom-right' } },
      // dashed F1: equal values (both 1 once the watermark separates fully) would otherwise hide the AUC line
      strokeDash: { field: 'metric', type: 'nominal', scale: { domain: ['ROC AUC', 'F1'], range: [[1, 0], [5, 3]] } },
    },
  };
}

/**
 * Tick values for a log axis over [min, max]: 1, 2, 5 × powers of ten when that gives 4 or more;
 * else 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8 when that gives 3 or more (a loss from 2.2 to 5 gets 2.5, 3, 4, 5
 * instead of Vega's 3, 4, 5 alone); else steps of 0.1 in the mantissa, thinned to at most 6 (a loss
 * from 2.003 to 2.95 gets 2.1, 2.3, ...).
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max >= min)) return [];
  const within = (mantissas: readonly number[]) => {
    const out: number[] = [];
    for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++)
      for (const m of mantissas) {
        const v = Number((m * 10 ** e).toPrecision(12));
        if (v >= min && v <= max) out.push(v);
      }
    return out;
  };
  const coarse = within([1, 2, 5]);
  if (coarse.length >= 4) return coarse;
  const mid = within([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8]);
  if (mid.length >= 3) return mid;
  const fine = within(Array.from({ length: 90 }, (_, i) => 1 + i / 10));
  const k = Math.ceil(fine.length / 6);
  return fine.filter((_, i) => i % k === 0);
}
