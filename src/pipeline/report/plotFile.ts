import { readFileSync } from 'node:fs';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import { behaviourSpec, pcaSpec, tokenLengthSpec } from '../../eval/plots/distributionPlots.ts';
import { chinchillaLossSpec, lossSpec, lrSpec, watermarkTrainingSpec } from '../../eval/plots/lossPlots.ts';
import type { PlotSpec } from '../../eval/plots/plotBase.ts';
import { confusionSpec, rocSpec, zHistogramSpec } from '../../eval/plots/watermarkPlots.ts';
import { behaviourBars, confusionOf, histogramAboveOf, lengthHistogramOf, numberAt, poetryBars } from '../../eval/report/reportValues.ts';
import { parseHistoryCsv, parsePcaPoints } from '../../eval/report/runFiles.ts';
import { rocArea, rocCurve } from '../../eval/rocCurve.ts';
import { parseScoresCsv, rocAuc } from '../../eval/watermarkMetrics.ts';

type Obj = Readonly<Record<string, unknown>>;

/** What `versiflow plot KIND FILE` draws, and from which file. */
export const PLOT_KINDS: Readonly<Record<string, { readonly from: string; readonly spec: (text: string, file: string, threshold: number) => PlotSpec }>> = {
  loss: { from: 'history.csv', spec: (t) => lossSpec(parseHistoryCsv(t)) },
  'loss-loglog': { from: 'history.csv', spec: (t) => chinchillaLossSpec(parseHistoryCsv(t)) },
  lr: { from: 'history.csv', spec: (t) => lrSpec(parseHistoryCsv(t)) },
  'watermark-training': { from: 'history.csv', spec: (t) => watermarkTrainingSpec(parseHistoryCsv(t)) },
  roc: {
    from: 'a label,z_score CSV',
    spec: (t, f) => {
      const rows = parseScoresCsv(t, f);
      const points = rocCurve(rows);
      if (points.length === 0) throw new DataError(`${f}: a ROC curve needs both labels (1 = generated, 0 = real)`);
      return rocSpec(points, rocAuc(rows.map((r) => r.label), rows.map((r) => r.z)) ?? rocArea(points));
    },
  },
  'z-histogram': { from: 'a label,z_score CSV', spec: (t, f, threshold) => zHistogramSpec(parseScoresCsv(t, f), threshold) },
  confusion: {
    from: 'watermark_metrics.json',
    spec: (t, f) => {
      const o = json(t, f);
      const c = confusionOf(o);
      if (!c) throw new DataError(`${f}: no confusion {tp, fp, tn, fn}`);
      return confusionSpec(c, numberAt(o, 'threshold') ?? 4);
    },
  },
  'author-pca': {
    from: 'author_pca_points.csv',
    spec: (t, f) => {
      const points = parsePcaPoints(t);
      if (!points) throw new DataError(`${f}: no x/y (or pc1/pc2) columns`);
      return pcaSpec(points);
    },
  },
  'token-lengths': {
    from: 'token_length_stats.json',
    spec: (t, f) => {
      const o = json(t, f);
      const bins = lengthHistogramOf(o);
      if (!bins) throw new DataError(`${f}: no histogram (written by versiflow data stats --out)`);
      return tokenLengthSpec(bins, histogramAboveOf(o));
    },
  },
  behaviour: { from: 'an eval behaviour --json object', spec: (t, f) => behaviourSpec(behaviourBars([{ file: f, value: json(t, f) }])) },
  poetry: { from: 'an eval poetry --json object', spec: (t, f) => behaviourSpec(poetryBars(json(t, f)), 'Rhyme: generated vs real poems') },
};

function json(text: string, file: string): Obj {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new DataError(`${file}: not JSON (${(e as Error).message})`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DataError(`${file}: expected a JSON object`);
  return v as Obj;
}

/** One plot's spec from one file (`versiflow plot`). @throws ConfigError for an unknown kind, DataError for a file it cannot draw. */
export function plotFromFile(kind: string, file: string, threshold = 4): PlotSpec {
  const k = PLOT_KINDS[kind];
  if (!k) throw new ConfigError(`plot: unknown kind "${kind}"; one of ${Object.keys(PLOT_KINDS).join(', ')}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  return k.spec(text, file, threshold);
}
