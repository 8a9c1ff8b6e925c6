import type { GenRecord } from './genRecords.ts';
import { rhymes } from './poetryRhyme.ts';
import { lineSyllables } from './poetrySyllables.ts';
import { detectLanguage, lastWord, poemLines, type PoetryLanguage } from './poetryText.ts';

/** The measures of one poem. Rates and the syllable spread are null for a poem of fewer than 2 lines (3 for abab). */
export interface PoemMetrics {
  readonly lines: number;
  /** Share of lines whose last word rhymes with that of a line one or two lines away (an AA or ABAB pair). */
  readonly rhyme_rate: number | null;
  /** Share of adjacent line pairs (i, i+1) that rhyme. */
  readonly aa_rate: number | null;
  /** Share of alternating line pairs (i, i+2) that rhyme. */
  readonly abab_rate: number | null;
  /** Mean syllables per line. */
  readonly syllables_per_line: number | null;
  /** Coefficient of variation of syllables per line (population std / mean): 0 = every line the same length. */
  readonly syllable_cv: number | null;
}

/**
 * Lines, rhyme and metre of one poem (docs/evaluation.md, "Poetry metrics"): lines are the
 * non-blank lines with a letter; line i's ending is its last word; stanza breaks are ignored, so
 * pairs run across them.
 */
export function poemMetrics(text: string, lang: PoetryLanguage): PoemMetrics {
  const lines = poemLines(text);
  const L = lines.length;
  const ends = lines.map(lastWord);
  const pair = (i: number, j: number) => j < L && rhymes(ends[i], ends[j], lang);
  const rhymed = ends.filter((_, i) => pair(i, i + 1) || pair(i, i + 2) || (i >= 1 && pair(i - 1, i)) || (i >= 2 && pair(i - 2, i))).length;
  const count = (gap: number) => Array.from({ length: Math.max(0, L - gap) }, (_, i) => pair(i, i + gap)).filter(Boolean).length;
  const syl = lines.map((l) => lineSyllables(l, lang));
  const mean = syl.reduce((s, x) => s + x, 0) / Math.max(1, L);
  const std = Math.sqrt(syl.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, L));
  return {
    lines: L,
    rhyme_rate: L >= 2 ? rhymed / L : null,
    aa_rate: L >= 2 ? count(1) / (L - 1) : null,
    abab_rate: L >= 3 ? count(2) / (L - 2) : null,
    syllables_per_line: L >= 1 ? mean : null,
    syllable_cv: L >= 2 && mean > 0 ? std / mean : null,
  };
}

/** A set of poems summarised: each measure the mean over the poems that have it (null when none has). */
export interface PoetryMetrics {
  readonly poems: number;
  readonly language: PoetryLanguage;
  readonly lines_per_poem: number | null;
  readonly rhyme_rate: number | null;
  readonly aa_rate: number | null;
  readonly abab_rate: number | null;
  readonly syllables_per_line: number | null;
  readonly syllable_cv: number | null;
}

/**
 * Poetry metrics of a set of texts: {@link poemMetrics} of each, averaged per poem (a 40-line poem
 * weighs as much as a quatrain). `lang` 'auto' picks one language for the whole set (detectLanguage).
 *
 * @example
 * poetryMetrics(['Мороз и солнце; день чудесный!\nЕще ты дремлешь, друг прелестный —'], 'ru').rhyme_rate // 1
 */
export function poetryMetrics(texts: readonly string[], lang: PoetryLanguage | 'auto' = 'auto'): PoetryMetrics {
  const language = lang === 'auto' ? detectLanguage(texts) : lang;
  const per = texts.map((t) => poemMetrics(t, language));
  const avg = (key: keyof PoemMetrics) => {
    const xs = per.map((p) => p[key]).filter((x): x is number => x !== null);
    return xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null;
  };
  return {
    poems: texts.length,
    language,
    lines_per_poem: avg('lines'),
    rhyme_rate: avg('rhyme_rate'),
    aa_rate: avg('aa_rate'),
    abab_rate: avg('abab_rate'),
    syllables_per_line: avg('syllables_per_line'),
    syllable_cv: avg('syllable_cv'),
  };
}

/** Poetry metrics of gen.jsonl records: each record's poem is its prompt followed by its text. */
export function poetryOfRecords(records: readonly GenRecord[], lang: PoetryLanguage | 'auto' = 'auto'): PoetryMetrics {
  return poetryMetrics(records.map((r) => r.prompt + r.text), lang);
}
