/**
 * Behaviour of generated texts: diversity, repetition, degenerate loops, and whether generations end
 * on their own. Each metric is defined on words: the lower-cased Unicode `\w+` runs of a text's
 * continuation (letters, digits and `_`: `[\p{L}\p{N}_]+`, Python's `re` `\w` on str, so a combining
 * mark such as a stress accent splits a word as it does in Python).
 */

/** How a generation ended (gen.jsonl's `finish`): eos or stop = on its own; length = at max_new_tokens. */
export type Finish = 'eos' | 'stop' | 'length';

export interface BehaviourMetrics {
  /** Texts measured. */
  readonly texts: number;
  /** Distinct word bigrams over all texts / all word bigrams (bigrams inside each text); null with no bigram. */
  readonly distinct_2: number | null;
  /** Share of texts in which some word 4-gram occurs at least twice (overlaps count); null with no text. */
  readonly repeated_4gram_rate: number | null;
  /** Share of texts whose last 3k words are one k-word span three times in a row, for some k ≥ 1; null with no text. */
  readonly loop_rate: number | null;
  /** Share of generations that ended on EOS or a stop string before max_new_tokens; null when no record says how it ended. */
  readonly completion_rate: number | null;
}

const WORD = /[\p{L}\p{N}_]+/gu;

/** The lower-cased `\w+` runs of a text. */
export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

/** Distinct word bigrams over all texts / all word bigrams; null when there is none. */
export function distinct2(texts: readonly (readonly string[])[]): number | null {
  const seen = new Set<string>();
  let all = 0;
  for (const w of texts) {
    for (let i = 0; i + 1 < w.length; i++) {
      seen.add(`${w[i]}\u0000${w[i + 1]}`);
      all++;
    }
  }
  return all === 0 ? null : seen.size / all;
}

/** Whether some word n-gram occurs at least twice in `w` (overlapping occurrences count). */
export function hasRepeatedNgram(w: readonly string[], n: number): boolean {
  const seen = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) {
    const key = w.slice(i, i + n).join('\u0000');
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/** Whether the last 3k words of `w` are one k-word span three times in a row, for some k ≥ 1. */
export function endsInLoop(w: readonly string[]): boolean {
  const n = w.length;
  for (let k = 1; 3 * k <= n; k++) {
    let same = true;
    for (let i = 0; i < k && same; i++) {
      const a = w[n - 3 * k + i];
      same = a === w[n - 2 * k + i] && a === w[n - k + i];
    }
    if (same) return true;
  }
  return false;
}

/** Share of values that hold; null for an empty list. */
const share = (xs: readonly boolean[]): number | null => (xs.length === 0 ? null : xs.filter(Boolean).length / xs.length);

/**
 * The four behaviour metrics of generated continuations. `finish` is how each generation ended;
 * completion_rate counts the records that have one (null when none has).
 */
export function behaviourMetrics(records: readonly { readonly text: string; readonly finish?: Finish }[]): BehaviourMetrics {
  const w = records.map((r) => words(r.text));
  const finishes = records.flatMap((r) => (r.finish ? [r.finish] : []));
  return {
    texts: records.length,
    distinct_2: distinct2(w),
    repeated_4gram_rate: share(w.map((x) => hasRepeatedNgram(x, 4))),
    loop_rate: share(w.map(endsInLoop)),
    completion_rate: share(finishes.map((f) => f === 'eos' || f === 'stop')),
  };
}
