import { ConfigError } from '../core/errors/ConfigError.ts';
import type { CliIO } from './io.ts';
import { parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const REPORT_HELP = `versiflow report RUN [--out RUN/report --png --samples 5]
      one self-contained HTML page of a run: config, curves, evaluation tables and plots, samples (RUN/report/index.html)`;

const KNOWN = ['out', 'png', 'samples'];

/**
 * `versiflow report RUN`: reads the run directory (history, events, checkpoints' config, evaluation
 * files in RUN/eval) and writes OUT/index.html: inline CSS and SVG plots (Vega-Lite, rendered headless),
 * no script, no network. `--png` also writes each plot as plots/ID.svg and plots/ID.png.
 */
export async function reportCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { positional, flags } = parseArgs(args, ['png']);
    rejectUnknownFlags(flags, KNOWN, 'report');
    if (positional.length !== 1) throw new ConfigError(`report: give one run directory (got ${positional.length})\n  ${REPORT_HELP}`);
    const samples = flags.samples === undefined ? 5 : Number(flags.samples);
    if (!Number.isInteger(samples) || samples < 0) throw new ConfigError(`report: --samples must be an integer ≥ 0, got ${flags.samples}`);
    // vega and vega-lite load only for this command, not at every CLI start
    const { writeReport } = await import('../pipeline/report/writeReport.ts');
    const r = await writeReport(positional[0], { out: flags.out, png: !!flags.png, samples });
    for (const p of r.problems) io.stderr.write(`warning: ${p}\n`);
    for (const w of r.warnings) io.stderr.write(`warning: plot ${w}\n`);
    io.stdout.write(`wrote ${r.file}: ${r.plots.length} plots (${r.plots.join(', ') || 'none'}); sections ${r.sections.join(', ')}${flags.png ? '; PNGs in plots/' : ''}\n`);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
