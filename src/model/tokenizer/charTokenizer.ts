import { canonicalHash } from './hash.ts';
import type { Tokenizer } from './types.ts';

export const CHAR_SPECIALS = ['[PAD]', '[EOS]', '[UNK]'] as const;

/** The BOS of a char tokenizer built with `bos`: appended after the characters, so their ids do not move. */
export const CHAR_BOS = '[BOS]';

/**
 * nanoGPT-style character tokenizer: one id per Unicode code point seen in the corpus, after the
 * special tokens [PAD]=0, [EOS]=1, [UNK]=2. Unseen characters encode to [UNK]. With `bos` (the
 * bos_token key) a [BOS] takes the id after the last character and starts every document.
 */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly padId = 0;
  readonly eosId = 1;
  readonly unkId = 2;
  readonly bosId: number;
  readonly addBos: boolean;
  readonly vocabSize: number;
  readonly hash: string;
  private readonly ids: Map<string, number>;

  constructor(
    readonly chars: readonly string[],
    opts: { readonly bos?: boolean } = {},
  ) {
    this.ids = new Map(chars.map((c, i) => [c, i + CHAR_SPECIALS.length]));
    if (this.ids.size !== chars.length) throw new Error('CharTokenizer: duplicate characters in vocabulary');
    this.addBos = opts.bos === true;
    this.bosId = this.addBos ? chars.length + CHAR_SPECIALS.length : -1;
    this.vocabSize = chars.length + CHAR_SPECIALS.length + (this.addBos ? 1 : 0);
    this.hash = canonicalHash(this.toJSON());
  }

  /** Builds the vocabulary from texts: every distinct code point, sorted by code point. */
  static fromTexts(texts: Iterable<string>): CharTokenizer {
    const seen = new Set<string>();
    for (const t of texts) for (const c of t) seen.add(c);
    return new CharTokenizer([...seen].sort((a, b) => a.codePointAt(0)! - b.codePointAt(0)!));
  }

  static fromJSON(doc: Record<string, unknown>): CharTokenizer {
    if (doc.type !== 'char' || !Array.isArray(doc.chars)) throw new Error('not a char tokenizer document (expected {type: "char", chars: [...]})');
    return new CharTokenizer(doc.chars as string[], { bos: doc.bos === true });
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const c of text) out.push(this.ids.get(c) ?? this.unkId);
    return out;
  }

  decode(ids: readonly number[]): string {
    const dec = this.decoder();
    return ids.map(dec).join('');
  }

  decoder(): (id: number) => string {
    return (id) => (id >= CHAR_SPECIALS.length && id < CHAR_SPECIALS.length + this.chars.length ? this.chars[id - CHAR_SPECIALS.length] : '');
  }

  toJSON(): Record<string, unknown> {
    return { type: 'char', specials: [...CHAR_SPECIALS], chars: [...this.chars], ...(this.addBos ? { bos: true } : {}) };
  }
}
