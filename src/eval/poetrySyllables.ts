import { lineWords, type PoetryLanguage } from './poetryText.ts';

const RU_VOWELS = /[аеёиоуыэюя]/g;
const FR_VOWEL_GROUPS = /[aeiouyàâäéèêëîïôöûùüœæ]+/g;
const FR_STARTS_WITH_VOWEL = /^[aeiouyàâäéèêëîïôöûùüœæh]/;

/**
 * Syllables of a verse line, by counting vowels, a heuristic per language (docs/evaluation.md):
 * - ru: every vowel letter (а е ё и о у ы э ю я) is one syllable; exact for Russian spelling.
 * - fr: vowel-letter groups per word (a diphthong such as "ie", "oi", "ou" is one; the u of qu, gu is
 *   silent; a group breaks at a diaeresis, after é, before é/è after o, a, u, at a y between vowels:
 *   {@link frenchHiatus}); a word-final mute
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
  const w = word.replace(/'/g, '').replace(/(?<=[qg])u(?=[aeiouyéèêàâîô])/g, ''); // the u of qu, gu is silent
  let n = 0;
  for (const m of w.matchAll(FR_VOWEL_GROUPS)) n += 1 + frenchHiatus(m[0], m.index + m[0].length === w.length || w.endsWith(`${m[0]}s`));
  if (n < 2) return n;
  const muteE = /[^aeiouyàâäéèêëîïôöûùüœæ]e$/.test(w);
  const muteEs = /[^aeiouyàâäéèêëîïôöûùüœæ]es$/.test(w);
  if (next === undefined) return n - (muteE || muteEs ? 1 : 0); // line end: the mute e is not counted
  if (muteE && FR_STARTS_WITH_VOWEL.test(next)) return n - 1; // elision
  return n;
}

/**
 * Syllable breaks inside one vowel-letter group: before a diaeresis (naïf, Noël), after é unless
 * only a final mute e follows (ré-el, cré-é, but aimée), before é or è after o, a, u (po-è-te,
 * a-é-rien, tu-é), and at a y between vowels (so-yez, pa-yer).
 */
function frenchHiatus(g: string, wordEnd: boolean): number {
  let n = 0;
  for (let k = 1; k < g.length; k++) {
    const c = g[k];
    const prev = g[k - 1];
    if ('ëïü'.includes(c)) n++;
    else if (prev === 'é' && !(wordEnd && g.slice(k) === 'e')) n++;
    else if ('éè'.includes(c) && 'oau'.includes(prev)) n++;
    else if (c === 'y' && k < g.length - 1) n++;
  }
  return n;
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
