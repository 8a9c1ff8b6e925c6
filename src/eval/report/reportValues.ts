import type { HistogramBin } from '../lengthHistogram.ts';
import type { BehaviourBar } from '../plots/distributionPlots.ts';
import type { Confusion } from '../plots/watermarkPlots.ts';
import type { Found } from './reportInput.ts';

type Obj = Readonly<Record<string, unknown>> | undefined;

/** A finite number at `key` of a parsed JSON object, else undefined. */
export function numberAt(o: Obj, key: string): number | undefined {
  const v = o?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** watermark_metrics.json's `confusion` when it has the four counts. */
export function confusionOf(o: Obj): Confusion | undefined {
  const c = o?.confusion as Obj;
  const [tp, fp, tn, fn] = ['tp', 'fp', 'tn', 'fn'].map((k) => numberAt(c, k));
  return tp === undefined || fp === undefined || tn === undefined || fn === undefined ? undefined : { tp, fp, tn, fn };
}

/** token_length_stats.json's `histogram` ([{start, end, count}]) when present and well-formed. */
export function lengthHistogramOf(o: Obj): HistogramBin[] | undefined {
  const h = o?.histogram;
  if (!Array.isArray(h) || h.length === 0) return undefined;
  const ok = h.every((b) => ['start', 'end', 'count'].every((k) => typeof (b as Obj)?.[k] === 'number'));
  return ok ? (h as HistogramBin[]) : undefined;
}

/** token_length_stats.json's `histogram_above` ({from, count}: documents past the last bin). */
export function histogramAboveOf(o: Obj): { from: number; count: number } | undefined {
  const a = o?.histogram_above as Obj;
  const from = numberAt(a, 'from');
  const count = numberAt(a, 'count');
  return from === undefined || count === undefined ? undefined : { from, count };
}

/** The behaviour metrics that are shares (numbers in [0, 1]; `texts` is a count), one bar per metric and file. */
export function behaviourBars(files: readonly Found<Readonly<Record<string, unknown>>>[]): BehaviourBar[] {
  return files.flatMap(({ file, value }) =>
    Object.entries(value).flatMap(([metric, v]) => (metric !== 'texts' && typeof v === 'number' && v >= 0 && v <= 1 ? [{ metric, value: v, source: file.replace(/^.*\//, '').replace(/\.json$/, '') }] : [])),
  );
}

/** The poetry metrics that are shares (rhyme rates), generated and real side by side. */
export const POETRY_SHARES = ['rhyme_rate', 'aa_rate', 'abab_rate'] as const;

export function poetryBars(o: Obj): BehaviourBar[] {
  return (['generated', 'real'] as const).flatMap((source) =>
    POETRY_SHARES.flatMap((metric) => {
      const v = numberAt(o?.[source] as Obj, metric);
      return v === undefined ? [] : [{ metric, value: v, source }];
    }),
  );
}
