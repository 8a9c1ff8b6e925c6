/**
 * Pre-tokenization of HF's ByteLevel pipeline: added tokens are cut out first, then (optionally) the
 * user-symbol Split, then the GPT-2 regex; each resulting piece is one BPE "word".
 */

/**
 * The GPT-2 / HF ByteLevel regex. `\s` is spelled `\p{White_Space}` because HF runs it with Oniguruma, whose
 * `\s` is the Unicode White_Space property (includes U+0085, excludes U+FEFF), unlike JavaScript's `\s`.
 * Known remaining difference: letters and digits added in Unicode 14+ (about 4,600 rare code points, e.g. CJK
 * extension G/H) are `\p{L}`/`\p{N}` for V8 but not for HF's Oniguruma tables.
 */
export const BYTE_LEVEL_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** An added token as HF's AddedVocabulary matches it (tokenizer.json `added_tokens` entry). */
export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  readonly singleWord: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  readonly normalized: boolean;
}

/** A piece of input: plain text to pre-tokenize, or an added token already resolved to its id. */
export type Segment = { text: string; id?: undefined } | { text: string; id: number };

/** Regex source matching any of `literals` literally, longest first (so alternation = leftmost-longest). */
export function literalAlternation(literals: readonly string[]): string {
  return [...literals]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map((s) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('|');
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}_]/u;
const SPACE = /\p{White_Space}/u;

/**
 * Splits `text` around added tokens the way HF's AddedVocabulary does: leftmost-longest matches,
 * `single_word` matches skipped when glued to a word character, `lstrip`/`rstrip` swallowing adjacent
 * whitespace. `matcher` is a global regex from {@link addedTokenMatcher}.
 */
export function splitAddedTokens(text: string, matcher: RegExp | null, byContent: ReadonlyMap<string, AddedToken>): Segment[] {
  if (!matcher || text.length === 0) return [{ text }];
  const out: Segment[] = [];
  let offset = 0;
  matcher.lastIndex = 0;
  for (let m = matcher.exec(text); m; m = matcher.exec(text)) {
    const tok = byContent.get(m[0])!;
    let start = m.index;
    let stop = start + m[0].length;
    if (tok.singleWord) {
      const before = start > 0 && WORD_CHAR.test(lastChar(text, start));
      const after = stop < text.length && WORD_CHAR.test(String.fromCodePoint(text.codePointAt(stop)!));
      if (before || after) continue;
    }
    if (tok.lstrip) while (start > offset && SPACE.test(text[start - 1])) start--;
    if (tok.rstrip) while (stop < text.length && SPACE.test(text[stop])) stop++;
    if (offset < start) out.push({ text: text.slice(offset, start) });
    out.push({ text: text.slice(start, stop), id: tok.id });
    offset = stop;
    matcher.lastIndex = stop;
  }
  if (offset < text.length) out.push({ text: text.slice(offset) });
  return out;
}

function lastChar(text: string, end: number): string {
  const lo = text.charCodeAt(end - 1);
  return lo >= 0xdc00 && lo < 0xe000 && end >= 2 ? text.slice(end - 2, end) : text[end - 1];
}

/** A global regex matching any added token's content, or null when there are none. */
export function addedTokenMatcher(tokens: readonly AddedToken[]): RegExp | null {
  return tokens.length ? new RegExp(literalAlternation(tokens.map((t) => t.content)), 'gu') : null;
}

/** Options of the ByteLevel pre-tokenizer, plus the optional isolating Split in front of it. */
export interface PreTokenizeOptions {
  /** Prepend " " to each piece that does not start with one (HF `add_prefix_space`). @default false */
  readonly addPrefixSpace: boolean;
  /** Apply the GPT-2 regex (HF `use_regex`). @default true */
  readonly useRegex: boolean;
  /** Global regex of a `Split` pre-tokenizer with behavior "Isolated" run before ByteLevel (user symbols), or null. */
  readonly isolate: RegExp | null;
}

/** Calls `emit` with each pre-token ("word", not yet byte-mapped) of a plain-text segment. */
export function preTokenize(text: string, opts: PreTokenizeOptions, emit: (word: string) => void): void {
  if (!opts.isolate) return byteLevelSplit(text, opts, emit);
  const re = opts.isolate;
  re.lastIndex = 0;
  let offset = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    if (offset < m.index) byteLevelSplit(text.slice(offset, m.index), opts, emit);
    byteLevelSplit(m[0], opts, emit);
    offset = m.index + m[0].length;
  }
  if (offset < text.length) byteLevelSplit(text.slice(offset), opts, emit);
}

function byteLevelSplit(text: string, opts: PreTokenizeOptions, emit: (word: string) => void): void {
  if (opts.addPrefixSpace && !text.startsWith(' ')) text = ' ' + text;
  if (!opts.useRegex) {
    if (text.length) emit(text);
    return;
  }
  const re = BYTE_LEVEL_PATTERN;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) emit(m[0]);
}
