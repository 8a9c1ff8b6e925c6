/**
 * The Unicode script class SentencePiece's trainer uses to keep a piece within one script
 * (`split_by_unicode_script`, on by default): Hiragana and Katakana count as Han, as in
 * sentencepiece's trainer_interface.cc; digits, punctuation, symbols and controls are Common;
 * combining marks are Inherited. Scripts outside the list below all read as `Other` (so two of them
 * may share a piece, where SentencePiece would keep them apart: rare in practice).
 */
const SCRIPTS: readonly (readonly [string, RegExp])[] = [
  ['Latin', /\p{Script=Latin}/u],
  ['Cyrillic', /\p{Script=Cyrillic}/u],
  ['Greek', /\p{Script=Greek}/u],
  ['Han', /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u30FC]/u],
  ['Arabic', /\p{Script=Arabic}/u],
  ['Hebrew', /\p{Script=Hebrew}/u],
  ['Hangul', /\p{Script=Hangul}/u],
  ['Devanagari', /\p{Script=Devanagari}/u],
  ['Thai', /\p{Script=Thai}/u],
  ['Georgian', /\p{Script=Georgian}/u],
  ['Armenian', /\p{Script=Armenian}/u],
  ['Common', /\p{Script=Common}/u],
  ['Inherited', /\p{Script=Inherited}/u],
];

const cache = new Map<string, string>();

/** The script class of one character (a code point given as a string). */
export function unicodeScript(ch: string): string {
  let s = cache.get(ch);
  if (s === undefined) {
    s = SCRIPTS.find(([, re]) => re.test(ch))?.[0] ?? 'Other';
    cache.set(ch, s);
  }
  return s;
}
