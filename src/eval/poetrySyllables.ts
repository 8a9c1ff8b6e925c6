import { lineWords, type PoetryLanguage } from './poetryText.ts';

const RU_VOWELS = /[аеёиоуыэюя]/g;
const FR_VOWEL_GROUPS = /[aeiouyàâäéèêëîïôöûùüœæ]+/g;
const FR_STARTS_WITH_VOWEL = /^[aeiouyàâäéèêëîïôöûùüœæh]/;

/**
 * Syllables of a verse line, by counting vowels, a heuristic per language (docs/evaluation.md):
 * - ru: every vowel letter (а е ё и о у ы э ю я) is one syllable; exact for Russian spelling.
 * - fr: vowel-letter groups per word (a diphthong such as "ie", "oi", "ou" is one); a word-final mute
 *   "e" after a consonant (in a word with another vowel) counts before a consonant, is elided before a
 *   vowel or h, and is not counted at the end of the line; "-es" counts except at the end of the line.
 *   This is the classical count of the alexandrine; diaeresis (di-é-rèse) and h aspiré are not known.
 * - en: vowel groups (a e i o u y; a word-initial y is a consonant) minus a silent final "e" (not
 *   "-le" after a consonant, not "-ee"), minus "-ed" not after t/d, minus "-es" not after s, x, z, c,
 *   g, ch, sh, minus the "e" of "-ely"; at least 1 for a word with a vowel.
 */
export function lineSyllables(line: string, lang: PoetryLanguage): number {
  const words = lineWords(line);
  switch (lang) {
    case 'ru':
      return words.reduce((s, w) => s + (w.match(RU_VOWELS) ?? []).length, 0);
    case 'fr':
      return words.reduce((s, w, i) => s + frenchWord(w, words[i + 1]), 0);
    case 'en':
      return words.reduce((s, w) => s + englishWord(w), 0);
  }
}

function frenchWord(word: string, next: string | undefined): number {
  const w = word.replace(/'/g, '');
  const groups = w.match(FR_VOWEL_GROUPS) ?? [];
  if (groups.length < 2) return groups.length;
  const muteE = /[^aeiouyàâäéèêëîïôöûùüœæ]e$/.test(w);
  const muteEs = /[^aeiouyàâäéèêëîïôöûùüœæ]es$/.test(w);
  if (next === undefined) return groups.length - (muteE || muteEs ? 1 : 0); // line end: the mute e is not counted
  if (muteE && FR_STARTS_WITH_VOWEL.test(next)) return groups.length - 1; // elision
  return groups.length;
}

function englishWord(word: string): number {
  const w = word.replace(/'/g, '').replace(/^y/, '');
  let n = (w.match(/[aeiouy]+/g) ?? []).length;
  if (n === 0) return 0;
  if (n > 1) {
    if (/[^aeiouy]e$/.test(w) && !/[^aeiouy]le$/.test(w)) n--;
    else if (/[^td]ed$/.test(w) && !/[aeiouy]ed$/.test(w)) n--;
    else if (/[^aeiouy]es$/.test(w) && !/(?:[sxzcg]|ch|sh)es$/.test(w)) n--;
    else if (/[^aeiouy]ely$/.test(w)) n--;
  }
  return Math.max(1, n);
}
