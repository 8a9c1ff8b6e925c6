import type { HistogramBin } from '../lengthHistogram.ts';
import { finite, type PlotSpec, plotBase } from './plotBase.ts';

/**
 * A histogram computed elsewhere (token_length_stats.json's `histogram`), drawn as touching bars;
 * `above` (values past the last bin, left out) is counted in the title.
 */
export function tokenLengthSpec(bins: readonly HistogramBin[], above?: { readonly from: number; readonly count: number }, unit = 'tokens'): PlotSpec {
  const note = above && above.count > 0 ? ` (${above.count} longer than ${Math.round(above.from)} not shown)` : '';
  return {
    ...plotBase(`Document length${note}`),
    data: { values: bins.filter((b) => finite(b.start) && finite(b.end) && finite(b.count)).map((b) => ({ ...b })) },
    mark: { type: 'bar', binSpacing: 0, stroke: 'white', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'start', type: 'quantitative', bin: 'binned', title: `length (${unit} per document)` },
      x2: { field: 'end' },
      y: { field: 'count', type: 'quantitative', title: 'documents', axis: { tickMinStep: 1, format: 'd' } },
    },
  };
}

/** One point of the author-space PCA: its two coordinates, its group (an author, `generated`) and whether it is a centroid. */
export interface ScatterPoint {
  readonly x: number;
  readonly y: number;
  readonly group: string;
  /** A group's mean point, drawn as a large cross. @default a group named like a centroid or mean */
  readonly centroid?: boolean;
}

/**
 * Texts in the first two principal components, coloured by group; centroids as large crosses on top,
 * in their group's colour.
 */
export function pcaSpec(points: readonly ScatterPoint[], title = 'Author space (PCA)'): PlotSpec {
  const values = points.filter((p) => finite(p.x) && finite(p.y)).map((p) => ({ x: p.x, y: p.y, group: p.group, centroid: (p.centroid ?? /centroid|mean/i.test(p.group)) ? 1 : 0 }));
  return {
    ...plotBase(title, { width: 360, height: 300 }),
    data: { values },
    mark: { type: 'point', filled: true },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'PC 1', scale: { zero: false, padding: 12 } },
      y: { field: 'y', type: 'quantitative', title: 'PC 2', scale: { zero: false, padding: 12 } },
      color: { field: 'group', type: 'nominal', title: null },
      shape: { field: 'centroid', type: 'nominal', legend: null, scale: { domain: [0, 1], range: ['circle', 'cross'] } },
      size: { field: 'centroid', type: 'ordinal', legend: null, scale: { domain: [0, 1], range: [30, 160] } },
      opacity: { field: 'centroid', type: 'ordinal', legend: null, scale: { domain: [0, 1], range: [0.7, 1] } },
      order: { field: 'centroid', type: 'quantitative' },
    },
  };
}

/** One behaviour metric of one set of texts (e.g. `distinct_2` of `gen.jsonl`). */
export interface BehaviourBar {
  readonly metric: string;
  readonly value: number;
  readonly source: string;
}

/** Behaviour metrics (shares in [0, 1]) as bars, one group per metric and one bar per source. */
export function behaviourSpec(bars: readonly BehaviourBar[], title = 'Behaviour metrics'): PlotSpec {
  const metrics = [...new Set(bars.map((b) => b.metric))];
  return {
    ...plotBase(title),
    data: { values: bars.filter((b) => finite(b.value)).map((b) => ({ ...b })) },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'metric', type: 'nominal', title: null, sort: metrics, axis: { labelAngle: 0 } },
      xOffset: { field: 'source', type: 'nominal' },
      y: { field: 'value', type: 'quantitative', title: 'share', scale: { domain: [0, 1] } },
      color: { field: 'source', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 400 } },
    },
  };
}
