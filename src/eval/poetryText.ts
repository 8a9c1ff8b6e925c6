/** The languages the poetry metrics have rules for. */
export type PoetryLanguage = 'ru' | 'fr' | 'en';
export const POETRY_LANGUAGES: readonly PoetryLanguage[] = ['ru', 'fr', 'en'];

/** The verse lines of a poem: lines trimmed, those without a letter (blank lines, `* * *`) dropped. */
export function poemLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /\p{L}/u.test(l));
}

/** The words of a line, lower-cased and NFC, stress accents (U+0301) dropped: runs of letters, an apostrophe (' or ’, as ') between letters kept inside (l'amour, summer's, o'er); a hyphen splits. */
export function lineWords(line: string): string[] {
  return (line.toLowerCase().normalize('NFC').replace(/\u0301/g, '').match(/\p{L}+(?:['’]\p{L}+)*/gu) ?? []).map((w) => w.replace(/’/g, "'"));
}

/** The last word of a line (lower-cased letters only), '' when it has none. */
export function lastWord(line: string): string {
  const w = lineWords(line);
  return w.length ? w[w.length - 1] : '';
}

const FR_WORDS = new Set(['le', 'la', 'les', 'et', 'de', 'des', 'une', 'est', 'dans', 'qui', 'que', 'je', 'il', 'elle', 'nous', 'vous', 'sur', 'pour', 'pas', 'ne', 'du', 'au', 'son', 'sa', 'mon', 'ma', 'ton', 'ta', 'plus', 'comme', 'où', 'mais', 'tout']);
const EN_WORDS = new Set(['the', 'and', 'of', 'to', 'is', 'in', 'that', 'it', 'with', 'you', 'my', 'his', 'her', 'was', 'for', 'but', 'not', 'thy', 'thou', 'on', 'me', 'be', 'all', 'are', 'when', 'what', 'from', 'as', 'by', 'we', 'they', 'this']);

/**
 * The language of a set of texts: Russian when Cyrillic letters outnumber Latin ones; otherwise
 * French or English by which has more of its common function words (and French accented letters,
 * each counting as one word).
 */
export function detectLanguage(texts: readonly string[]): PoetryLanguage {
  let cyr = 0;
  let lat = 0;
  let fr = 0;
  let en = 0;
  for (const t of texts) {
    cyr += (t.match(/\p{Script=Cyrillic}/gu) ?? []).length;
    lat += (t.match(/\p{Script=Latin}/gu) ?? []).length;
    fr += (t.match(/[éèêàçùâîôûœ]/giu) ?? []).length;
    for (const w of t.toLowerCase().match(/\p{L}+/gu) ?? []) {
      if (FR_WORDS.has(w)) fr++;
      if (EN_WORDS.has(w)) en++;
    }
  }
  if (cyr > lat) return 'ru';
  return fr > en ? 'fr' : 'en';
}
