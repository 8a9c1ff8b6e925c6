import type { TopLevelSpec } from 'vega-lite';

/** A Vega-Lite spec with its data inlined: what every plot builder returns and `renderSvg` draws. */
export type PlotSpec = TopLevelSpec;

/** Width and height of a plot's data rectangle, in CSS pixels (axes and legend come on top). */
export const PLOT_SIZE = { width: 400, height: 220 } as const;

/**
 * The look shared by every plot: one sans-serif font, readable sizes, a light grid. Plots are read in
 * the report (inline SVG) and as PNGs, so nothing depends on a browser (no tooltips, no interaction).
 */
export const PLOT_CONFIG: NonNullable<TopLevelSpec['config']> = {
  font: 'DejaVu Sans, Liberation Sans, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#ddd' },
  title: { fontSize: 14, anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  range: { category: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'] },
};

/** The fields every plot spec starts with: schema, title, size, config. */
export function plotBase(title: string, size: { width: number; height: number } = PLOT_SIZE): { $schema: string; title: string; width: number; height: number; config: typeof PLOT_CONFIG } {
  return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title, width: size.width, height: size.height, config: PLOT_CONFIG };
}

/** Values a Vega-Lite data source can hold without surprises: finite numbers only (NaN and ±Infinity break scales). */
export const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);
