/**
 * Text normalisation applied to every document before a tokenizer sees it. Each rule folds
 * typographic variants that carry no meaning for a small model into one form, so the vocabulary
 * does not spend tokens on them. Every rule is off unless asked for, except `crlf`.
 *
 * Rules run in this order (each on the output of the previous one):
 * 1. `crlf`: every `\r\n` becomes `\n`. A lone `\r` is kept.
 * 2. `nfc`: Unicode NFC composition (`String.prototype.normalize('NFC')`), e.g. `е` + U+0308 → `ё`.
 * 3. `yo`: `ё` → `е` and `Ё` → `Е`, also when written decomposed (`е`/`Е` + U+0308).
 * 4. `quotes`: double quotes `„ “ ” « »` become `«` (opening) or `»` (closing); single quotes
 *    `‘ ’ ‚` become `'`. `„` and `«` always open and `»` always closes. `“` and `”` are read from
 *    context, since `“` opens in English (“word”) but closes in Russian and German („слово“):
 *    a quote right after a letter, digit or closing punctuation (anything but the start of the text,
 *    whitespace, or one of `( [ { « „ “ ‘ ‚ ' " — – ‒ ― -`) closes; otherwise it opens when the next
 *    character is not whitespace (or the end); a quote with whitespace on both sides keeps its
 *    usual role (`“` opens, `”` closes). The ASCII `"` and `'` are left alone.
 * 5. `dashes`: `‒ – — ―` (U+2012–U+2015) become `—` (U+2014), and an ASCII hyphen between words —
 *    a non-space character, then spaces or tabs (or NBSP), `-`, spaces again, then a non-space
 *    character, all on one line — becomes `—` with its spacing kept: `день - ночь` → `день — ночь`.
 *    Hyphens inside words (`кто-то`), at the start of a line (dialogue) and doubled (`--`) are kept.
 * 6. `ellipsis`: each `...` becomes `…`, scanning left to right (so `....` becomes `….`); an
 *    existing `…` stays.
 */
export interface NormalizeOptions {
  /** Unicode NFC composition. @default false */
  readonly nfc?: boolean;
  /** `ё` → `е`, `Ё` → `Е`. @default false */
  readonly yo?: boolean;
  /** `„“”«»` → `«`/`»` by context, `‘’‚` → `'`. @default false */
  readonly quotes?: boolean;
  /** `‒–—―` and a spaced hyphen between words → `—`. @default false */
  readonly dashes?: boolean;
  /** `...` → `…`. @default false */
  readonly ellipsis?: boolean;
  /** `\r\n` → `\n`. @default true */
  readonly crlf?: boolean;
}

/** Applies the rules of {@link NormalizeOptions} that are switched on, in the documented order. */
export function normalizeString(text: string, opts: NormalizeOptions): string {
  let s = text;
  if (opts.crlf ?? true) s = s.replaceAll('\r\n', '\n');
  if (opts.nfc) s = s.normalize('NFC');
  if (opts.yo) s = s.replace(/[ёЁ]|[еЕ]\u0308/g, (m) => (m[0] === 'ё' || m[0] === 'е' ? 'е' : 'Е'));
  if (opts.quotes) s = s.replace(/[„“”«»]/g, doubleQuote).replace(/[‘’‚]/g, "'");
  if (opts.dashes) s = s.replace(/[\u2012-\u2015]/g, '—').replace(/(?<=\S[ \t\u00a0]+)-(?=[ \t\u00a0]+\S)/g, '—');
  if (opts.ellipsis) s = s.replaceAll('...', '…');
  return s;
}

/** Characters after which a quote opens rather than closes. */
const OPENING_CONTEXT = new Set(['(', '[', '{', '«', '„', '“', '‘', '‚', "'", '"', '—', '–', '‒', '―', '-']);

function doubleQuote(q: string, offset: number, s: string): string {
  if (q === '«' || q === '„') return '«';
  if (q === '»') return '»';
  const prev = s[offset - 1];
  const afterOpening = prev === undefined || /\s/.test(prev) || OPENING_CONTEXT.has(prev);
  if (!afterOpening) return '»';
  const next = s[offset + 1];
  if (next !== undefined && !/\s/.test(next)) return '«';
  return q === '“' ? '«' : '»';
}
