/**
 * A bounded `[step, value]` history for charts and snapshots: a whole run's loss curve in at most
 * `cap` points, whatever the run's length. When full, neighbouring points are merged pairwise (mean
 * value, later step) and the bucket width `stride` doubles, so resolution stays uniform along the run.
 * Immutable: `pushPoint` returns a new series (cost O(cap) per completed bucket), which lets reducers
 * hold one without copying it defensively.
 */
export type Point = readonly [step: number, value: number];

export interface Series {
  readonly cap: number;
  /** Raw points merged into each stored point. */
  readonly stride: number;
  readonly points: readonly Point[];
  /** Raw points of the bucket being filled (< stride of them). */
  readonly pending: readonly Point[];
}

/** An empty series keeping at most `cap` (≥ 2) points. */
export function emptySeries(cap = 1000): Series {
  if (!Number.isInteger(cap) || cap < 2) throw new RangeError(`series cap must be an integer ≥ 2, got ${cap}`);
  return { cap, stride: 1, points: [], pending: [] };
}

/** Appends one raw point; non-finite values (NaN loss) are kept out so one bad step cannot flatten a chart. */
export function pushPoint(s: Series, step: number, value: number): Series {
  if (!Number.isFinite(value)) return s;
  const pending = [...s.pending, [step, value] as Point];
  if (pending.length < s.stride) return { ...s, pending };
  let points = [...s.points, mergePoints(pending)];
  let stride = s.stride;
  if (points.length > s.cap) {
    points = halve(points);
    stride *= 2;
  }
  return { cap: s.cap, stride, points, pending: [] };
}

/** Stored points plus the partial bucket, so the newest value always shows. */
export function seriesPoints(s: Series): readonly Point[] {
  return s.pending.length === 0 ? s.points : [...s.points, mergePoints(s.pending)];
}

/** At most `n` points: consecutive runs merged by mean value, keeping each run's last step. */
export function downsample(points: readonly Point[], n: number): Point[] {
  if (n < 1) return [];
  if (points.length <= n) return [...points];
  const out: Point[] = [];
  for (let b = 0; b < n; b++) {
    const from = Math.floor((b * points.length) / n);
    const to = Math.floor(((b + 1) * points.length) / n);
    out.push(mergePoints(points.slice(from, to)));
  }
  return out;
}

function mergePoints(ps: readonly Point[]): Point {
  let sum = 0;
  for (const p of ps) sum += p[1];
  return [ps[ps.length - 1][0], sum / ps.length];
}

function halve(ps: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < ps.length; i += 2) out.push(i + 1 < ps.length ? mergePoints([ps[i], ps[i + 1]]) : ps[i]);
  return out;
}
