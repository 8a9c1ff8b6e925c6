import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { numberFlag } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const PLOT_HELP = `versiflow plot KIND FILE --out OUT.svg|OUT.png [--threshold 4 --json]
      one plot of one file: loss, loss-loglog, lr, watermark-training (history.csv), roc, z-histogram (label,z_score CSV),
      confusion (watermark_metrics.json), author-pca, token-lengths, behaviour, poetry; --json prints the Vega-Lite spec instead`;

/** `versiflow plot KIND FILE`: the report's plots one at a time, from any file of the right layout, as SVG or PNG (by --out's extension). */
export async function plotCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args, ['json']);
    rejectUnknownFlags(flags, ['out', 'threshold', 'json'], 'plot');
    if (positional.length !== 2) throw new ConfigError(`plot: give a kind and a file\n  ${PLOT_HELP}`);
    const { plotFromFile } = await import('../pipeline/report/plotFile.ts');
    const spec = plotFromFile(positional[0], positional[1], numberFlag(flags, 'threshold', 4, 'plot'));
    if (flags.json) {
      io.stdout.write(`${JSON.stringify(spec)}\n`);
      return 0;
    }
    const out = flags.out;
    if (!out || !/\.(svg|png)$/i.test(out)) throw new ConfigError('plot: --out FILE.svg or FILE.png is required (or --json for the spec)');
    const { renderSvg, svgToPng } = await import('../eval/plots/renderPlot.ts');
    const { svg, warnings } = await renderSvg(spec);
    for (const w of warnings) io.stderr.write(`warning: ${w}\n`);
    mkdirSync(dirname(resolve(out)), { recursive: true });
    writeFileSync(out, /\.png$/i.test(out) ? await svgToPng(svg) : svg);
    io.stdout.write(`wrote ${out}\n`);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
