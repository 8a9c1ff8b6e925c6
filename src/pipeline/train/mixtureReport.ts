import type { MixtureShare } from '../../core/events.ts';
import { mixtureCounts } from '../../streams/sources/mixtureSchedule.ts';
import type { PreparedSource } from '../data/prepareMixture.ts';

/** Each source's rows among the schedule's first `rows` rows (seeded: what the run draws), with its size. */
export function mixtureShares(sources: readonly PreparedSource[], seed: number, rows: number): MixtureShare[] {
  const counts = mixtureCounts(sources.map((s) => s.weight), seed, rows);
  return sources.map((s, k) => ({ name: s.name, weight: s.weight, rows: counts[k], share: rows > 0 ? counts[k] / rows : 0, trainExamples: s.train.length, valTokens: s.valTokens }));
}
