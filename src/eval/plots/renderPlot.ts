import { type LoggerInterface, logger, parse, View, Warn } from 'vega';
import { compile } from 'vega-lite';
import type { PlotSpec } from './plotBase.ts';

/** A rendered plot: the SVG text and what Vega warned about while drawing it (e.g. an empty log scale). */
export interface RenderedPlot {
  readonly svg: string;
  readonly warnings: readonly string[];
}

/**
 * Compiles a Vega-Lite spec to Vega and renders it headless to SVG (a View with renderer 'none': no
 * DOM, no canvas; text widths are estimated). `idPrefix` is put before every id the SVG defines (clip
 * paths, gradients) and every reference to one, so several plots can be inlined in one HTML page
 * without one plot's `url(#clip1)` picking up another's clip path. Vega's log lines are collected into
 * `warnings` instead of going to the console.
 */
export async function renderSvg(spec: PlotSpec, idPrefix = ''): Promise<RenderedPlot> {
  const warnings: string[] = [];
  const vg = compile(spec, { logger: collectingLogger(warnings) }).spec;
  const view = new View(parse(vg), { renderer: 'none', logger: collectingLogger(warnings) });
  try {
    const svg = await view.toSVG();
    return { svg: idPrefix ? prefixIds(svg, idPrefix) : svg, warnings };
  } finally {
    view.finalize();
  }
}

/**
 * SVG text → PNG bytes with resvg, at `scale` × the SVG's size (2 for a crisp image on high-density
 * screens). resvg is a native module, loaded on first use so that importing versiflow never needs it.
 */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  const resvg = new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return resvg.render().asPng();
}

/** Prefixes the ids an SVG defines and the references to them (`url(#id)`, `href="#id"`). */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

/** A Vega/Vega-Lite logger at level Warn whose messages go into `into` (vega-util's default handler prints them). */
function collectingLogger(into: string[]): LoggerInterface {
  return logger(Warn, undefined, (_method, level, args) => into.push(`${level}: ${args.map(String).join(' ')}`));
}
