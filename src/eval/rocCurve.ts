import type { ScoredText } from './watermarkMetrics.ts';

/** One ROC point: calling positive every text with z ≥ threshold gives these rates (threshold null = above every score). */
export interface RocPoint {
  readonly threshold: number | null;
  /** False positives / real texts. */
  readonly fpr: number;
  /** True positives / generated texts. */
  readonly tpr: number;
}

/**
 * The ROC curve of z-scores, scikit-learn's `roc_curve(y, z, drop_intermediate=False)`: one point per
 * distinct score, from the highest down, after a first point (0, 0) whose threshold is above every
 * score; tied scores move both rates at once (the diagonal step whose area counts a tie one half).
 * The trapezoidal area under these points is `rocAuc`. Empty when either class is missing (the rates
 * would divide by zero; scikit-learn warns and returns NaN).
 */
export function rocCurve(rows: readonly ScoredText[]): RocPoint[] {
  const pos = rows.filter((r) => r.label === 1).length;
  const neg = rows.length - pos;
  if (pos === 0 || neg === 0) return [];
  const sorted = [...rows].sort((a, b) => b.z - a.z);
  const points: RocPoint[] = [{ threshold: null, fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (sorted[i].label === 1) tp++;
    else fp++;
    // a point after the last text of each run of equal scores
    if (i === sorted.length - 1 || sorted[i + 1].z !== sorted[i].z) points.push({ threshold: sorted[i].z, fpr: fp / neg, tpr: tp / pos });
  }
  return points;
}

/** Trapezoidal area under ROC points (ordered by threshold, as `rocCurve` returns them). */
export function rocArea(points: readonly RocPoint[]): number {
  let area = 0;
  for (let i = 1; i < points.length; i++) area += ((points[i].fpr - points[i - 1].fpr) * (points[i].tpr + points[i - 1].tpr)) / 2;
  return area;
}
