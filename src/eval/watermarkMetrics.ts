import { DataError } from '../core/errors/DataError.ts';

/** One scored text: label 1 = generated (watermarked), 0 = real; its detector z-score. */
export interface ScoredText {
  readonly label: 0 | 1;
  readonly z: number;
}

/** How well z-scores separate watermarked generations from real texts. JSON keys as written to watermark_metrics.json. */
export interface WatermarkMetrics {
  /** (tp + tn) / n. */
  readonly accuracy: number;
  /** tp / (tp + fp); 0 when nothing is called positive (scikit-learn's zero_division=0). */
  readonly precision: number;
  /** tp / (tp + fn); 0 when there are no generated texts. */
  readonly recall: number;
  /** 2tp / (2tp + fp + fn); 0 when that is 0/0. */
  readonly f1: number;
  /** Area under the ROC curve of z (scikit-learn's roc_auc_score; a tie counts one half); null unless both classes occur. */
  readonly roc_auc: number | null;
  /** Positive = z ≥ threshold. */
  readonly threshold: number;
  readonly confusion: { readonly tp: number; readonly fp: number; readonly tn: number; readonly fn: number };
  readonly counts: { readonly generated: number; readonly real: number; readonly total: number };
  /** Mean z of each class; null for an empty class. */
  readonly mean_z_generated: number | null;
  readonly mean_z_real: number | null;
}

/**
 * ROC AUC of `scores` for binary `labels` (1 = positive): the probability that a random positive
 * scores above a random negative, a tie counting one half. This is what scikit-learn's
 * `roc_auc_score` computes (the trapezoidal area under the ROC curve, whose diagonal steps across tied
 * scores give exactly the half); computed here from average ranks (Mann–Whitney U / (P·N)), O(n log n).
 * Returns null when only one class is present (scikit-learn raises).
 */
export function rocAuc(labels: readonly number[], scores: readonly number[]): number | null {
  if (labels.length !== scores.length) throw new RangeError(`rocAuc: ${labels.length} labels but ${scores.length} scores`);
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] < scores[b] ? -1 : scores[a] > scores[b] ? 1 : 0));
  let pos = 0;
  let rankSum = 0; // sum of the positives' (1-based, tie-averaged) ranks
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]] === scores[order[i]]) j++;
    const rank = (i + j + 2) / 2; // average of ranks i+1 .. j+1
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) return null;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/**
 * Classification metrics of a watermark detector at `threshold` (positive = z ≥ threshold) plus the
 * threshold-free ROC AUC and each class's mean z. Hand-checkable: see test/eval/watermarkMetrics.test.ts.
 */
export function watermarkMetrics(rows: readonly ScoredText[], threshold = 4): WatermarkMetrics {
  let tp = 0;
  let fp = 0;
  let tn = 0;
  let fn = 0;
  let sumGen = 0;
  let sumReal = 0;
  for (const r of rows) {
    const positive = r.z >= threshold;
    if (r.label === 1) {
      sumGen += r.z;
      if (positive) tp++;
      else fn++;
    } else {
      sumReal += r.z;
      if (positive) fp++;
      else tn++;
    }
  }
  const generated = tp + fn;
  const real = fp + tn;
  const total = rows.length;
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    accuracy: ratio(tp + tn, total),
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    f1: ratio(2 * tp, 2 * tp + fp + fn),
    roc_auc: rocAuc(
      rows.map((r) => r.label),
      rows.map((r) => r.z),
    ),
    threshold,
    confusion: { tp, fp, tn, fn },
    counts: { generated, real, total },
    mean_z_generated: generated ? sumGen / generated : null,
    mean_z_real: real ? sumReal / real : null,
  };
}

/** `label,z_score` CSV (Poetru's watermark_scores.csv): header line, then one row per text. */
export function formatScoresCsv(rows: readonly ScoredText[]): string {
  return `label,z_score\n${rows.map((r) => `${r.label},${r.z}`).join('\n')}${rows.length ? '\n' : ''}`;
}

/**
 * Parses a CSV with a header naming `label` and `z_score` columns (others are ignored; any order;
 * comma-separated, no quoting needed for numbers). label: 0 or 1 (also 0.0/1.0, true/false);
 * z_score: a number, `inf`/`-inf` allowed (Python writes them so). Blank lines are skipped.
 * @throws DataError naming the line of a bad row or the missing column.
 */
export function parseScoresCsv(text: string, where = 'scores'): ScoredText[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerAt = lines.findIndex((l) => l.trim() !== '');
  if (headerAt < 0) throw new DataError(`${where}: empty; expected a header line "label,z_score"`);
  const header = lines[headerAt].split(',').map((h) => h.trim().replace(/^"(.*)"$/, '$1').toLowerCase());
  const li = header.indexOf('label');
  const zi = header.indexOf('z_score');
  if (li < 0 || zi < 0) throw new DataError(`${where}: the header must name the columns "label" and "z_score"; got "${lines[headerAt]}"`);
  const rows: ScoredText[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const cells = lines[i].split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1'));
    const label = parseLabel(cells[li]);
    const z = parseZ(cells[zi]);
    if (label === null) throw new DataError(`${where}:${i + 1}: label must be 0 or 1, got "${cells[li] ?? ''}"`);
    if (z === null) throw new DataError(`${where}:${i + 1}: z_score must be a number, got "${cells[zi] ?? ''}"`);
    rows.push({ label, z });
  }
  return rows;
}

function parseLabel(s: string | undefined): 0 | 1 | null {
  const v = s?.toLowerCase();
  if (v === 'true') return 1;
  if (v === 'false') return 0;
  if (v === undefined || v === '') return null;
  const x = Number(v);
  return x === 1 ? 1 : x === 0 ? 0 : null;
}

function parseZ(s: string | undefined): number | null {
  const v = s?.toLowerCase();
  if (v === undefined || v === '') return null;
  if (v === 'inf' || v === '+inf' || v === 'infinity') return Infinity;
  if (v === '-inf' || v === '-infinity') return -Infinity;
  const x = Number(v);
  return Number.isNaN(x) ? null : x;
}
