import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg, svgToPng } from '../../eval/plots/renderPlot.ts';
import { type RenderedReportPlot, reportHtml } from '../../eval/report/reportHtml.ts';
import { reportPlots } from '../../eval/report/reportPlots.ts';
import { readRunDir } from './readRunDir.ts';

export interface WriteReportOptions {
  /** Output folder. @default RUN/report */
  readonly out?: string;
  /** Also write each plot as plots/ID.svg and plots/ID.png (resvg, 2× scale). @default false */
  readonly png?: boolean;
  /** How many of the last samples to show. @default 5 */
  readonly samples?: number;
  /** The clock the footer's time comes from. */
  readonly now?: () => Date;
}

export interface WrittenReport {
  readonly file: string;
  readonly plots: readonly string[];
  readonly sections: readonly string[];
  readonly problems: readonly string[];
  /** Vega's warnings, per plot id. */
  readonly warnings: readonly string[];
}

/** `versiflow report`: reads a run directory, draws its plots headless and writes OUT/index.html (self-contained). */
export async function writeReport(runDir: string, opts: WriteReportOptions = {}): Promise<WrittenReport> {
  const input = readRunDir(runDir);
  const out = opts.out ?? join(runDir, 'report');
  const rendered: RenderedReportPlot[] = [];
  const warnings: string[] = [];
  for (const p of reportPlots(input)) {
    const r = await renderSvg(p.spec, `${p.id}-`);
    warnings.push(...r.warnings.map((w) => `${p.id}: ${w}`));
    rendered.push({ id: p.id, section: p.section, svg: r.svg });
  }
  mkdirSync(out, { recursive: true });
  const html = reportHtml(input, rendered, { generatedAt: (opts.now ?? (() => new Date()))(), samples: opts.samples });
  const file = join(out, 'index.html');
  writeFileSync(file, html);
  if (opts.png) {
    mkdirSync(join(out, 'plots'), { recursive: true });
    for (const p of rendered) {
      writeFileSync(join(out, 'plots', `${p.id}.svg`), p.svg);
      writeFileSync(join(out, 'plots', `${p.id}.png`), await svgToPng(p.svg));
    }
  }
  const sections = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
  return { file, plots: rendered.map((p) => p.id), sections, problems: input.problems, warnings };
}
