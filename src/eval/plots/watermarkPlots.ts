import type { RocPoint } from '../rocCurve.ts';
import type { ScoredText } from '../watermarkMetrics.ts';
import { finite, type PlotSpec, plotBase } from './plotBase.ts';

const square = { width: 300, height: 300 } as const;

/** The ROC curve (points from `rocCurve`) over the diagonal of a detector that guesses; the AUC in the title. */
export function rocSpec(points: readonly RocPoint[], auc: number | null): PlotSpec {
  return {
    ...plotBase(`ROC${auc === null ? '' : ` (AUC ${auc.toFixed(4)})`}`, square),
    layer: [
      {
        data: { values: [{ fpr: 0, tpr: 0 }, { fpr: 1, tpr: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4], strokeWidth: 1 },
        encoding: { x: { field: 'fpr', type: 'quantitative' }, y: { field: 'tpr', type: 'quantitative' } },
      },
      {
        // `order` keeps the curve in threshold order: vertical runs share an fpr, so sorting by x would scramble them
        data: { values: points.map((p, i) => ({ i, fpr: p.fpr, tpr: p.tpr })) },
        // a point per threshold while they can be told apart; a long curve (thousands of texts) as a line alone
        mark: { type: 'line', point: points.length <= 200 ? { size: 18 } : false, strokeWidth: 2 },
        encoding: {
          x: { field: 'fpr', type: 'quantitative', title: 'false positive rate', scale: { domain: [0, 1] } },
          y: { field: 'tpr', type: 'quantitative', title: 'true positive rate', scale: { domain: [0, 1] } },
          order: { field: 'i', type: 'quantitative' },
        },
      },
    ],
  };
}

/** watermark_metrics.json's confusion counts, with positive = z ≥ threshold. */
export interface Confusion {
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
}

/** The confusion matrix as a 2×2 heatmap: rows the true class, columns the detector's call, counts written in. */
export function confusionSpec(c: Confusion, threshold: number): PlotSpec {
  const cells = [
    { actual: 'generated', predicted: 'generated', count: c.tp },
    { actual: 'generated', predicted: 'real', count: c.fn },
    { actual: 'real', predicted: 'generated', count: c.fp },
    { actual: 'real', predicted: 'real', count: c.tn },
  ];
  const domain = ['generated', 'real'];
  const max = Math.max(1, c.tp, c.fp, c.tn, c.fn);
  return {
    ...plotBase(`Confusion matrix (z ≥ ${threshold} = generated)`, { width: 220, height: 220 }),
    data: { values: cells },
    encoding: {
      x: { field: 'predicted', type: 'nominal', title: 'called', sort: domain, axis: { labelAngle: 0, orient: 'top' } },
      y: { field: 'actual', type: 'nominal', title: 'true class', sort: domain },
    },
    layer: [
      { mark: { type: 'rect' }, encoding: { color: { field: 'count', type: 'quantitative', legend: null, scale: { scheme: 'blues', domain: [0, max] } } } },
      {
        mark: { type: 'text', fontSize: 18, fontWeight: 'bold' },
        encoding: {
          text: { field: 'count', type: 'quantitative' },
          color: { condition: { test: `datum.count > ${max / 2}`, value: 'white' }, value: 'black' },
        },
      },
    ],
  };
}

/**
 * Histograms of the z-scores of generated and real texts, overlaid, with the threshold as a rule.
 * ±Infinity z (possible in a scores file) cannot be binned and is left out; the title counts them.
 */
export function zHistogramSpec(rows: readonly ScoredText[], threshold: number): PlotSpec {
  const values = rows.filter((r) => finite(r.z)).map((r) => ({ z: r.z, text: r.label === 1 ? 'generated' : 'real' }));
  const dropped = rows.length - values.length;
  return {
    ...plotBase(`Watermark z-scores${dropped ? ` (${dropped} infinite left out)` : ''}`),
    layer: [
      {
        data: { values },
        mark: { type: 'bar', opacity: 0.6, binSpacing: 0 },
        encoding: {
          x: { field: 'z', type: 'quantitative', bin: { maxbins: 30 }, title: 'z-score' },
          y: { aggregate: 'count', type: 'quantitative', title: 'texts', stack: null, axis: { tickMinStep: 1, format: 'd' } },
          color: { field: 'text', type: 'nominal', title: null, scale: { domain: ['generated', 'real'] }, legend: { orient: 'top', direction: 'horizontal' } },
        },
      },
      {
        data: { values: [{ threshold }] },
        mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3], strokeWidth: 1.5 },
        encoding: { x: { field: 'threshold', type: 'quantitative' } },
      },
    ],
  };
}
