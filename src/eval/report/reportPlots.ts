import { behaviourSpec, pcaSpec, tokenLengthSpec } from '../plots/distributionPlots.ts';
import { chinchillaLossSpec, type HistoryPoint, lossSpec, lrSpec, watermarkTrainingSpec } from '../plots/lossPlots.ts';
import type { PlotSpec } from '../plots/plotBase.ts';
import { confusionSpec, rocSpec, zHistogramSpec } from '../plots/watermarkPlots.ts';
import { rocArea, rocCurve } from '../rocCurve.ts';
import type { ReportInput } from './reportInput.ts';
import { behaviourBars, confusionOf, histogramAboveOf, lengthHistogramOf, numberAt, poetryBars } from './reportValues.ts';

/** A plot of the report: `id` names it in the page (`figure#plot-ID`) and as a PNG file. */
export interface ReportPlot {
  readonly id: string;
  readonly section: 'curves' | 'watermark' | 'authors' | 'behaviour' | 'poetry' | 'data';
  readonly spec: PlotSpec;
}

/** Logged steps drawn per curve at most: a long run's history.csv (150,000 rows at log_every 10) would make SVGs of megabytes. */
export const MAX_CURVE_POINTS = 2000;

/**
 * At most about `max` rows of a history: every k-th logged step (k = ⌈n / max⌉), always the last,
 * and every row with a validation loss or a watermark evaluation (those are few and each matters).
 */
export function thinHistory(history: readonly HistoryPoint[], max: number): readonly HistoryPoint[] {
  if (history.length <= max) return history;
  const k = Math.ceil(history.length / max);
  return history.filter((p, i) => i % k === 0 || i === history.length - 1 || p.valLoss !== null || p.watermarkAuc != null || p.watermarkF1 != null);
}

/** The plots a run's files allow, in page order; a plot whose data is missing is left out. */
export function reportPlots(input: ReportInput): ReportPlot[] {
  const plots: ReportPlot[] = [];
  const h = thinHistory(input.history, MAX_CURVE_POINTS);
  if (h.some((p) => p.loss !== null || p.valLoss !== null)) {
    plots.push({ id: 'loss', section: 'curves', spec: lossSpec(h) });
    plots.push({ id: 'loss-loglog', section: 'curves', spec: chinchillaLossSpec(h) });
  }
  if (h.some((p) => p.lr !== null)) plots.push({ id: 'lr', section: 'curves', spec: lrSpec(h) });
  if (h.some((p) => p.watermarkAuc != null || p.watermarkF1 != null)) plots.push({ id: 'watermark-training', section: 'curves', spec: watermarkTrainingSpec(h) });

  const metrics = input.watermarkMetrics?.value;
  const threshold = numberAt(metrics, 'threshold') ?? 4;
  const scores = input.watermarkScores?.value;
  if (scores) {
    const points = rocCurve(scores);
    if (points.length > 0) plots.push({ id: 'roc', section: 'watermark', spec: rocSpec(points, numberAt(metrics, 'roc_auc') ?? rocArea(points)) });
  }
  const confusion = confusionOf(metrics);
  if (confusion) plots.push({ id: 'confusion', section: 'watermark', spec: confusionSpec(confusion, threshold) });
  if (scores && scores.length > 0) plots.push({ id: 'z-histogram', section: 'watermark', spec: zHistogramSpec(scores, threshold) });

  if (input.authorPoints && input.authorPoints.value.length > 0) plots.push({ id: 'author-pca', section: 'authors', spec: pcaSpec(input.authorPoints.value) });
  const bars = behaviourBars(input.behaviour);
  if (bars.length > 0) plots.push({ id: 'behaviour', section: 'behaviour', spec: behaviourSpec(bars) });
  const rhyme = poetryBars(input.poetry?.value);
  if (rhyme.length > 0) plots.push({ id: 'poetry', section: 'poetry', spec: behaviourSpec(rhyme, 'Rhyme: generated vs real poems') });
  const bins = lengthHistogramOf(input.lengthStats?.value);
  if (bins) plots.push({ id: 'token-lengths', section: 'data', spec: tokenLengthSpec(bins, histogramAboveOf(input.lengthStats?.value)) });
  return plots;
}
