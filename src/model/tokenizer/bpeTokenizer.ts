import { pushTokenBytes, toByteLevel } from './byteLevel.ts';
import { BOS_NAMES, bosTemplate } from './bosTemplate.ts';
import { canonicalHash } from './hash.ts';
import { parseBpeJSON } from './parseBpeJSON.ts';
import { type MergeTable, mergeWord, packMerge, pairKey } from './mergeWord.ts';
import { type AddedToken, addedTokenMatcher, type PreTokenizeOptions, preTokenize, splitAddedTokens } from './pretokenize.ts';
import type { Tokenizer } from './types.ts';

/** Everything a byte-level BPE tokenizer is made of; the fields of HF's tokenizer.json, parsed. */
export interface BpeSpec {
  /** Model vocabulary, token string → id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, as pairs of token strings. */
  readonly merges: readonly (readonly [string, string])[];
  readonly addedTokens: readonly AddedToken[];
  /** @default false */
  readonly addPrefixSpace?: boolean;
  /** Only affects offsets, which Versiflow does not use; kept so toJSON round-trips. @default true */
  readonly trimOffsets?: boolean;
  /** @default true */
  readonly useRegex?: boolean;
  /** Regex source of an isolating Split run before ByteLevel (how user symbols are kept whole), or null. */
  readonly isolatePattern?: string | null;
  /** Whole words found in the vocabulary skip merging (HF `ignore_merges`). @default false */
  readonly ignoreMerges?: boolean;
  /** Token emitted for symbols missing from the vocabulary (only for non-byte-complete vocabularies). @default null */
  readonly unkToken?: string | null;
  /** The special token put before each document and prompt (a TemplateProcessing post_processor), or null. @default null */
  readonly bosToken?: string | null;
}

const PAD_NAMES = ['[PAD]', '<pad>', '<|padding|>'];
const EOS_NAMES = ['[EOS]', '</s>', '<|endoftext|>'];
const UNK_NAMES = ['[UNK]', '<unk>'];
/** GPT-2 has one <|endoftext|> for both ends of a text: the BOS of last resort. */
const BOS_LOOKUP = [...BOS_NAMES, '<|endoftext|>'];
const CACHE_LIMIT = 200_000;

/**
 * Byte-level BPE tokenizer compatible with HF tokenizers' `tokenizer.json` (GPT-2 style: ByteLevel
 * pre-tokenizer, BPE model, ByteLevel decoder). `encode` never adds EOS/BOS: appending `eosId` after each
 * document (as Poetru does per poem) and, with `bosToken`, BOS before it is the caller's (encodeDocument). `decode` drops special tokens (HF
 * `skip_special_tokens=true`) and replaces invalid UTF-8 with U+FFFD like HF.
 */
export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly vocabSize: number;
  readonly padId: number;
  readonly eosId: number;
  readonly unkId: number;
  readonly bosId: number;
  readonly addBos: boolean;
  private hashCache: string | undefined;
  /** canonicalHash of toJSON(), computed when first asked for (for a 32k vocabulary it costs more than the rest of the load: the poet never asks). */
  get hash(): string {
    return (this.hashCache ??= canonicalHash(this.toJSON()));
  }
  private readonly idToToken: string[] = [];
  private readonly mergeTable = new Map<number, number>();
  private readonly special = new Set<number>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly matcher: RegExp | null;
  private readonly pre: PreTokenizeOptions;
  private readonly unk: number;
  private readonly cache = new Map<string, number[]>();

  constructor(readonly spec: BpeSpec) {
    let size = 0;
    for (const [tok, id] of spec.vocab) {
      this.idToToken[id] = tok;
      size = Math.max(size, id + 1);
    }
    for (const t of spec.addedTokens) {
      this.idToToken[t.id] = t.content;
      this.addedByContent.set(t.content, t);
      if (t.special) this.special.add(t.id);
      size = Math.max(size, t.id + 1);
    }
    this.vocabSize = size;
    spec.merges.forEach(([a, b], rank) => {
      const ia = spec.vocab.get(a);
      const ib = spec.vocab.get(b);
      const merged = spec.vocab.get(a + b);
      if (ia === undefined || ib === undefined || merged === undefined) {
        throw new Error(`BPE merge #${rank} "${a} ${b}" uses a token missing from the vocabulary`);
      }
      this.mergeTable.set(pairKey(ia, ib), packMerge(rank, merged));
    });
    this.matcher = addedTokenMatcher(spec.addedTokens);
    this.pre = {
      addPrefixSpace: spec.addPrefixSpace ?? false,
      useRegex: spec.useRegex ?? true,
      isolate: spec.isolatePattern ? new RegExp(spec.isolatePattern, 'gu') : null,
    };
    this.unk = spec.unkToken ? (spec.vocab.get(spec.unkToken) ?? -1) : -1;
    this.padId = this.findId(PAD_NAMES);
    this.eosId = this.findId(EOS_NAMES);
    this.unkId = this.findId(UNK_NAMES);
    this.addBos = spec.bosToken != null;
    this.bosId = this.addBos ? this.tokenToId(spec.bosToken!) : this.findId(BOS_LOOKUP);
    if (this.addBos && (this.bosId < 0 || !this.special.has(this.bosId))) throw new Error(`the BOS token "${spec.bosToken}" is not a special token of this tokenizer`);
  }

  /** Loads an HF tokenizer.json of a byte-level BPE tokenizer (see {@link parseBpeJSON}). */
  static fromJSON(doc: Record<string, unknown>): BpeTokenizer {
    return new BpeTokenizer(parseBpeJSON(doc));
  }

  /** Id of a token string (added tokens first, then the model vocabulary), or -1. */
  tokenToId(token: string): number {
    return this.addedByContent.get(token)?.id ?? this.spec.vocab.get(token) ?? -1;
  }

  idToTokenString(id: number): string | undefined {
    return this.idToToken[id];
  }

  private findId(names: readonly string[]): number {
    for (const n of names) {
      const id = this.tokenToId(n);
      if (id >= 0) return id;
    }
    return -1;
  }

  /** Text → ids. Lone surrogates are encoded as U+FFFD (what HF sees after its UTF-8 conversion). */
  encode(text: string): number[] {
    const out: number[] = [];
    const emit = (word: string): void => this.encodeWord(word, out);
    for (const seg of splitAddedTokens(wellFormed(text), this.matcher, this.addedByContent)) {
      if (seg.id !== undefined) out.push(seg.id);
      else preTokenize(seg.text, this.pre, emit);
    }
    return out;
  }

  private encodeWord(word: string, out: number[]): void {
    let ids = this.cache.get(word);
    if (!ids) {
      ids = this.mergeBytes(toByteLevel(word));
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (let i = 0; i < ids.length; i++) out.push(ids[i]);
  }

  private mergeBytes(symbols: string): number[] {
    const vocab = this.spec.vocab;
    if (this.spec.ignoreMerges) {
      const whole = vocab.get(symbols);
      if (whole !== undefined) return [whole];
    }
    const ids: number[] = [];
    for (const ch of symbols) {
      const id = vocab.get(ch);
      if (id !== undefined) ids.push(id);
      else if (this.unk >= 0) ids.push(this.unk);
    }
    return mergeWord(ids, this.mergeTable as MergeTable);
  }

  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) this.pushBytes(id, bytes);
    return new TextDecoder().decode(Uint8Array.from(bytes));
  }

  decoder(): (id: number) => string {
    const td = new TextDecoder();
    const bytes: number[] = [];
    return (id) => {
      bytes.length = 0;
      this.pushBytes(id, bytes);
      return td.decode(Uint8Array.from(bytes), { stream: true });
    };
  }

  private pushBytes(id: number, out: number[]): void {
    const tok = this.idToToken[id];
    if (tok === undefined || this.special.has(id)) return;
    pushTokenBytes(tok, out);
  }

  toJSON(): Record<string, unknown> {
    const s = this.spec;
    const byteLevel = {
      type: 'ByteLevel',
      add_prefix_space: s.addPrefixSpace ?? false,
      trim_offsets: s.trimOffsets ?? true,
      use_regex: s.useRegex ?? true,
    };
    const vocab: Record<string, number> = {};
    for (const [tok, id] of [...s.vocab].sort((a, b) => a[1] - b[1])) vocab[tok] = id;
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...s.addedTokens]
        .sort((a, b) => a.id - b.id)
        .map((t) => ({
          id: t.id,
          content: t.content,
          single_word: t.singleWord,
          lstrip: t.lstrip,
          rstrip: t.rstrip,
          normalized: t.normalized,
          special: t.special,
        })),
      normalizer: null,
      pre_tokenizer: s.isolatePattern
        ? {
            type: 'Sequence',
            pretokenizers: [
              { type: 'Split', pattern: { Regex: s.isolatePattern }, behavior: 'Isolated', invert: false },
              byteLevel,
            ],
          }
        : byteLevel,
      post_processor: s.bosToken != null ? bosTemplate(s.bosToken, this.bosId) : byteLevel,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: s.unkToken ?? null,
        continuing_subword_prefix: null,
        end_of_word_suffix: null,
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: s.ignoreMerges ?? false,
        vocab,
        merges: s.merges.map(([a, b]) => [a, b]),
      },
    };
  }
}

/** Replaces lone surrogates by U+FFFD. */
function wellFormed(text: string): string {
  return /\p{Cs}/u.test(text) ? text.replace(/\p{Cs}/gu, '\uFFFD') : text;
}
