import asciichart from 'asciichart';
import { downsample, type Point } from '../core/series.ts';

export interface LineChartOptions {
  /** Columns available, labels included. */
  readonly width: number;
  /** Rows of the plot area (the axis labels add none; step and marker lines add one each). */
  readonly height: number;
  /** A step to point at under the plot (the best val loss), with its caption. */
  readonly marker?: { readonly step: number; readonly caption: string };
}

/** Width of the y-axis labels; asciichart puts point i at column LABEL_WIDTH + 1 + i. */
const LABEL_WIDTH = 8;

/**
 * A plain-text line chart of `[step, value]` points, downsampled to fit `width`: the plot rows,
 * a step-range line and, if asked, a caret line marking one step. Lines never exceed `width`.
 */
export function lineChart(points: readonly Point[], o: LineChartOptions): string[] {
  const cols = Math.max(2, o.width - LABEL_WIDTH - 3);
  const pts = points.length > cols ? downsample(points, cols) : stretch(points, cols);
  if (pts.length === 0) return ['(no data yet)'];
  const plot = asciichart.plot(pts.map((p) => p[1]), {
    height: Math.max(1, o.height - 1),
    format: (x) => x.toFixed(3).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
  });
  const lines = plot.split('\n').map((l) => l.trimEnd());
  const first = `step ${pts[0][0]}`;
  const last = pts.length > 1 ? `${pts[pts.length - 1][0]}` : '';
  const gap = Math.max(1, pts.length - first.length - last.length);
  lines.push(' '.repeat(LABEL_WIDTH + 1) + first + (last ? ' '.repeat(gap) + last : ''));
  if (o.marker) lines.push(markerLine(pts, o.marker, o.width));
  return lines;
}

/**
 * Few points (evals) spread over `n` columns by step, linearly interpolated between them, so a val
 * curve of 5 evals spans the same width as the train curve instead of 5 columns.
 */
function stretch(points: readonly Point[], n: number): Point[] {
  if (points.length < 2) return [...points];
  const s0 = points[0][0];
  const s1 = points[points.length - 1][0];
  if (s1 <= s0) return [...points];
  const out: Point[] = [];
  let j = 0;
  for (let c = 0; c < n; c++) {
    const step = s0 + ((s1 - s0) * c) / (n - 1);
    while (j < points.length - 2 && points[j + 1][0] < step) j++;
    const [a, va] = points[j];
    const [b, vb] = points[j + 1];
    const t = b === a ? 1 : Math.min(1, Math.max(0, (step - a) / (b - a)));
    out.push([Math.round(step), va + t * (vb - va)]);
  }
  return out;
}

/** `▲ caption` under the first plotted point at or after `step` (the bucket holding it). */
function markerLine(pts: readonly Point[], m: { step: number; caption: string }, width: number): string {
  let i = pts.findIndex((p) => p[0] >= m.step);
  if (i < 0) i = pts.length - 1;
  const col = LABEL_WIDTH + 1 + i;
  const right = `▲ ${m.caption}`;
  if (col + right.length <= width) return ' '.repeat(col) + right;
  const left = `${m.caption} ▲`;
  return ' '.repeat(Math.max(0, col - left.length + 1)) + left;
}
