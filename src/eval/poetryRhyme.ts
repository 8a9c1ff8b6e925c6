import type { PoetryLanguage } from './poetryText.ts';

/**
 * The rhyme key of a line's last word (lower-cased letters, as lastWord gives it): two words rhyme
 * when their keys are equal and the words differ. null when the word has no vowel. The heuristics,
 * one per language, and their known limits are in docs/evaluation.md ("Poetry metrics").
 */
export function rhymeKey(word: string, lang: PoetryLanguage): string | null {
  switch (lang) {
    case 'ru':
      return russianKey(word);
    case 'fr':
      return frenchKey(word);
    case 'en':
      return englishKey(word);
  }
}

/** Whether two last words rhyme: equal keys, and not the same word (a repeated word is no rhyme). */
export function rhymes(a: string, b: string, lang: PoetryLanguage): boolean {
  if (a === b) return false;
  const ka = rhymeKey(a, lang);
  return ka !== null && ka === rhymeKey(b, lang);
}

// ——— Russian ———
const RU_VOWEL = /[аеиоуыэюя]/;
const RU_DEVOICE: Readonly<Record<string, string>> = { б: 'п', в: 'ф', г: 'к', д: 'т', ж: 'ш', з: 'с' };
const RU_VOWEL_SOUND: Readonly<Record<string, string>> = { я: 'а', ю: 'у', э: 'е', ы: 'и' };

/**
 * Russian, stress-agnostic: ё → е, letters only; the clausula is the last vowel with the consonants
 * after it (soft and hard signs dropped, the final consonant devoiced: б→п, в→ф, г→к, д→т, ж→ш,
 * з→с); a word ending in a vowel takes the letter before it too (дорогу / богу → "гу"), or й for an
 * iotated я, ю, е after a vowel or a sign (моя / друзья / я → "йа"). я, ю, э, ы are matched as а, у, е, и (забыт /
 * горит).
 */
function russianKey(word: string): string | null {
  const w = word.replace(/ё/g, 'е').replace(/[^а-я]/g, '');
  let i = w.length - 1;
  while (i >= 0 && !RU_VOWEL.test(w[i])) i--;
  if (i < 0) return null;
  const open = i === w.length - 1;
  // an iotated vowel after a vowel, a sign or at the start sounds й + vowel (моя, друзья, я → йа)
  const iotated = open && /[яюе]/.test(w[i]) && (i === 0 || /[аеиоуыэюяьъ]/.test(w[i - 1]));
  let tail = iotated ? `й${w[i]}` : open && i > 0 ? w.slice(i - 1) : w.slice(i); // open ending: the supporting letter too
  if (!open) {
    tail = tail.replace(/[ьъ]/g, '');
    tail = tail.slice(0, -1) + (RU_DEVOICE[tail[tail.length - 1]] ?? tail[tail.length - 1]);
  }
  return tail.replace(/[яюэы]/g, (c) => RU_VOWEL_SOUND[c]);
}

// ——— French ———
const FR_VOWEL = /[aeiouyàâäéèêëîïôöûùüœæãẽõ]/;
const FR_NASAL: Readonly<Record<string, string>> = { ain: 'ẽ', ein: 'ẽ', aim: 'ẽ', in: 'ẽ', im: 'ẽ', un: 'ẽ', um: 'ẽ', an: 'ã', am: 'ã', en: 'ã', em: 'ã', on: 'õ', om: 'õ' };
const FR_ER_WORDS = new Set(['mer', 'fer', 'cher', 'fier', 'hier', 'hiver', 'enfer', 'amer', 'ver', 'vers', 'univers', 'travers', 'divers', 'éther', 'cuiller', 'lucifer', 'jupiter']);

/**
 * French, the last sounded vowel with what follows, from spelling: the part after an apostrophe;
 * œu, oeu, œ → eu; the u of qu, gu dropped; c before e, i → s; "-ez" and "-er" → é (not the -er words of a short list: mer, fer, hiver, …), "-et" → è; final s,
 * x, z then t, d, p (after a vowel, n, m or r) and g, c (after n) dropped as silent; a final mute e (and -es) dropped, after which
 * nothing is nasal (bonne ≠ bon); double consonants single; a vowel + n/m before another consonant is nasal (danse, plainte); nasal endings an/am/en/em(t) → ã,
 * in/im/ain/ein/aim/un/um/yn → ẽ, on/om → õ (ien → iẽ, oin → oẽ); eau/au → o, ai/ei/ê/è → è,
 * â/à → a, î/ï → i, ô → o, û/ù → u, y → i; then the last vowel group and the consonants after it.
 */
function frenchKey(word: string): string | null {
  let w = word.slice(word.lastIndexOf("'") + 1).replace(/[^a-zàâäéèêëîïôöûùüœæç]/g, '');
  if (!w) return null;
  w = w
    .replace(/œu|oeu/g, 'eu')
    .replace(/œ/g, 'eu')
    .replace(/(?<=[qg])u(?=[aeiouyéèêàâîô])/g, '') // the u of qu, gu is silent
    .replace(/c(?=[eiéèê])/g, 's');
  if (!FR_ER_WORDS.has(w)) w = w.replace(/(?<=..)ez$/, 'é').replace(/(?<=..)ers?$/, 'é');
  w = w.replace(/(?<=.)ets?$/, 'è');
  w = w.replace(/(?<=..)[sxz]$/, '');
  w = w.replace(/(?<=[aeiouyéèêàâîôûnmr])[tdp]$/, '').replace(/(?<=n)[gc]$/, '');
  let feminine = false;
  if (w.length > 2 && /[^aeiouy]e$/.test(w)) {
    w = w.slice(0, -1);
    feminine = true;
  } else if (w.length > 2 && /ée$|ie$|ue$/.test(w)) w = w.slice(0, -1);
  w = w.replace(/([bcdfglmnprst])\1$/, '$1');
  w = w.replace(/(ain|ein|aim|in|im|an|am|en|em|on|om|un|um)(?=[^aeiouyéèêàâîôûäëöüœænmh])/g, (m) => FR_NASAL[m]); // nasal before a consonant: danse, plainte
  if (!feminine) {
    w = w
      .replace(/ien$/, 'iẽ')
      .replace(/oin$/, 'oẽ')
      .replace(/(?:ain|ein|aim|in|im|yn|un|um)$/, 'ẽ')
      .replace(/(?:an|am|en|em)$/, 'ã')
      .replace(/(?:on|om)$/, 'õ');
  }
  w = w
    .replace(/eau|au/g, 'o')
    .replace(/ai|ei|ê/g, 'è')
    .replace(/[âà]/g, 'a')
    .replace(/[îï]/g, 'i')
    .replace(/ô/g, 'o')
    .replace(/[ûù]/g, 'u')
    .replace(/y/g, 'i')
    .replace(/ç/g, 's');
  let i = w.length - 1;
  while (i >= 0 && !FR_VOWEL.test(w[i])) i--;
  if (i < 0) return null;
  while (i > 0 && FR_VOWEL.test(w[i - 1])) i--;
  return w.slice(i);
}

// ——— English ———
const EN_VOWEL = /[aeiouyāēīōū]/;
const LONG: Readonly<Record<string, string>> = { a: 'ā', e: 'ē', i: 'ī', y: 'ī', o: 'ō', u: 'ū' };
/** Common rhyme words whose spelling the rules get wrong: their keys. */
const EN_EXCEPTIONS: Readonly<Record<string, string>> = { you: 'ū', through: 'ū', do: 'ū', to: 'ū', too: 'ū', two: 'ū', who: 'ū', great: 'āt', break: 'āk', said: 'ed', again: 'en', eye: 'ī', i: 'ī', by: 'ī', my: 'ī', are: 'ar', were: 'er', one: 'un', done: 'un', none: 'un', gone: 'on', come: 'um', some: 'um', have: 'av', give: 'iv', live: 'iv' };

/**
 * English, the last vowel group with the consonants after it, from spelling with a few common
 * equivalences: possessive 's dropped; igh → ī (night / white); a vowel + one consonant + silent e
 * is long (time / rhyme, shake / ache); ay, ai, a_e → ā; ee, ea, e_e → ē; oa, o_e, oor → ō; oo, ue, ew,
 * u_e → ū; ow = ou (cloud / crowd); a silent "-ed" in a longer word is dropped to d (ceased); a short list of common words spelt against the rules (you, through, do, who, eye, are,
 * one, come, have, give, …); a final y, ie, ied or ies in a one-vowel word → ī (sky / high / die / cried), a final y after a consonant
 * in a longer word → ē; a lone final e or o in a short word (me, go) is long; ck → k, ph → f,
 * double consonants single.
 */
function englishKey(word: string): string | null {
  let w = word.replace(/'s$/, '').replace(/[^a-z]/g, '');
  if (!w) return null;
  if (EN_EXCEPTIONS[w]) return EN_EXCEPTIONS[w];
  const oneVowelGroup = (w.match(/[aeiouy]+/g) ?? []).length <= 1;
  if (!oneVowelGroup) w = w.replace(/(?<=[^aeiouytd])ed$/, 'd'); // a silent -ed: ceased → ceasd
  w = w.replace(/ck/g, 'k').replace(/ph/g, 'f').replace(/igh/g, 'ī');
  w = w.replace(/([aeiouy])([^aeiouyāēīōū])e$/, (_, v: string, c: string) => (/[aeiouy]/.test(w[w.length - 4] ?? '') ? v + c : LONG[v] + c));
  w = w.replace(/([bdfglmnprstz])\1/g, '$1');
  w = w
    .replace(/ay|ai|ey$/g, 'ā')
    .replace(/ee|ea/g, 'ē')
    .replace(/oa|oe$/g, 'ō')
    .replace(/oor/g, 'ōr')
    .replace(/oo|ue$|ew|ui/g, 'ū')
    .replace(/ow/g, 'ou')
    .replace(/(?<=[^aeiou])ie([ds]?)$/, oneVowelGroup ? 'ī$1' : 'ē$1');
  if (/[^aeiouāēīōū]y$/.test(w) || w === 'y') w = w.slice(0, -1) + (oneVowelGroup ? 'ī' : 'ē');
  if (oneVowelGroup && /^[^aeiouy]*[eo]$/.test(w)) w = w.slice(0, -1) + LONG[w[w.length - 1]];
  w = w.replace(/y/g, 'i');
  let i = w.length - 1;
  while (i >= 0 && !EN_VOWEL.test(w[i])) i--;
  if (i < 0) return null;
  while (i > 0 && EN_VOWEL.test(w[i - 1])) i--;
  return w.slice(i);
}
