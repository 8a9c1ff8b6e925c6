import { BOS_NAMES } from './bosTemplate.ts';
import { canonicalHash } from './hash.ts';
import { type MergeTable, mergeWord, packMerge, pairKey } from './mergeWord.ts';
import { parseSentencePieceJSON, type SentencePieceSpec } from './parseSentencePieceJSON.ts';
import { type AddedToken, addedTokenMatcher, splitAddedTokens } from './pretokenize.ts';
import type { Tokenizer } from './types.ts';

const PAD_NAMES = ['<pad>', '[PAD]', '<|padding|>'];
const EOS_NAMES = ['</s>', '<|endoftext|>', '[EOS]', '<eos>'];
const UNK_NAMES = ['<unk>', '[UNK]'];
const CACHE_LIMIT = 200_000;
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;
const utf8 = new TextEncoder();

/**
 * SentencePiece-style BPE tokenizer as HF tokenizers runs a tokenizer.json converted from a
 * SentencePiece BPE model (Llama 2, TinyLlama, Mistral): spaces become "▁" (by a Prepend/Replace
 * normalizer, or the Metaspace pre-tokenizer, which also splits before each "▁"), each word's
 * characters are looked up (a missing character becomes its UTF-8 bytes' `<0xXX>` tokens with
 * byte_fallback, else [unk], consecutive ones fused with fuse_unk), then merged by rank exactly as HF's
 * `Word::merge_all`. Added tokens are cut out of the raw text first; each text segment is normalised
 * and pre-tokenised on its own (so Llama 2's legacy "▁" goes before every segment, Metaspace's "first"
 * scheme only before the text's start). `encode` adds no BOS/EOS (HF add_special_tokens=False);
 * `decode` drops special tokens and turns "▁" back into spaces, byte tokens into UTF-8. Added tokens
 * are matched in the raw text, as HF does for `normalized: false` ones (Llama's <unk>, <s>, </s>); one
 * marked `normalized: true` whose text a normalizer would change is matched differently here.
 */
export class SentencePieceBpeTokenizer implements Tokenizer {
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
  private readonly byteIds = new Int32Array(256).fill(-1);
  private readonly byteOf = new Map<number, number>();
  private readonly unk: number;
  private readonly cache = new Map<string, number[]>();

  constructor(readonly spec: SentencePieceSpec) {
    let size = 0;
    for (const [tok, id] of spec.vocab) {
      this.idToToken[id] = tok;
      size = Math.max(size, id + 1);
      const m = BYTE_TOKEN.exec(tok);
      if (m) this.byteOf.set(id, parseInt(m[1], 16));
    }
    for (let b = 0; b < 256; b++) this.byteIds[b] = spec.vocab.get(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`) ?? -1;
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
      if (ia === undefined || ib === undefined || merged === undefined) throw new Error(`BPE merge #${rank} "${a} ${b}" uses a token missing from the vocabulary`);
      if (!this.mergeTable.has(pairKey(ia, ib))) this.mergeTable.set(pairKey(ia, ib), packMerge(rank, merged));
    });
    this.matcher = addedTokenMatcher(spec.addedTokens);
    this.unk = spec.unkToken ? (spec.vocab.get(spec.unkToken) ?? -1) : -1;
    const find = (names: readonly string[]) => names.map((n) => this.tokenToId(n)).find((id) => id >= 0) ?? -1;
    this.padId = find(PAD_NAMES);
    this.eosId = find(EOS_NAMES);
    this.unkId = find(UNK_NAMES);
    this.addBos = spec.bosToken !== null;
    this.bosId = this.addBos ? this.tokenToId(spec.bosToken!) : find(BOS_NAMES);
    if (this.addBos && this.bosId < 0) throw new Error(`tokenizer.json: the post_processor's BOS "${spec.bosToken}" is not a token of the vocabulary`);
  }

  /** Loads an HF tokenizer.json of the SentencePiece-BPE family (see parseSentencePieceJSON). */
  static fromJSON(doc: Record<string, unknown>): SentencePieceBpeTokenizer {
    return new SentencePieceBpeTokenizer(parseSentencePieceJSON(doc));
  }

  tokenToId(token: string): number {
    return this.addedByContent.get(token)?.id ?? this.spec.vocab.get(token) ?? -1;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    const segments = splitAddedTokens(text.replace(/\p{Cs}/gu, '\uFFFD'), this.matcher, this.addedByContent);
    segments.forEach((seg, i) => {
      if (seg.id !== undefined) out.push(seg.id);
      else this.encodeSegment(seg.text, i === 0, out);
    });
    return out;
  }

  /** One text segment between added tokens: normalizer, Metaspace, then BPE per word. */
  private encodeSegment(raw: string, atStart: boolean, out: number[]): void {
    if (!raw) return; // HF normalises and pre-tokenises nothing for an empty segment (no "▁" either)
    let s = raw;
    for (const step of this.spec.normalize) {
      if ('prepend' in step) s = s.length ? step.prepend + s : s;
      else s = s.replaceAll(step.pattern, step.content);
    }
    const ms = this.spec.metaspace;
    if (!ms) return this.encodeWord(s, out);
    s = s.replaceAll(' ', ms.replacement);
    if (!s.startsWith(ms.replacement) && (ms.prependScheme === 'always' || (ms.prependScheme === 'first' && atStart))) s = ms.replacement + s;
    if (!ms.split) return this.encodeWord(s, out);
    // split before each replacement character, which stays with the piece after it (MergedWithNext)
    let from = 0;
    for (let i = s.indexOf(ms.replacement, 1); i >= 0; i = s.indexOf(ms.replacement, i + ms.replacement.length)) {
      if (i > from) this.encodeWord(s.slice(from, i), out);
      from = i;
    }
    this.encodeWord(s.slice(from), out);
  }

  private encodeWord(word: string, out: number[]): void {
    if (!word) return;
    let ids = this.cache.get(word);
    if (!ids) {
      ids = this.mergeChars(word);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (const id of ids) out.push(id);
  }

  /** HF's BPE::merge_word: characters → ids (byte fallback, fused unk), then merge_all. */
  private mergeChars(word: string): number[] {
    const vocab = this.spec.vocab;
    if (this.spec.ignoreMerges) {
      const whole = vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const ids: number[] = [];
    let pendingUnk = false;
    for (const ch of word) {
      const id = vocab.get(ch);
      if (id !== undefined) {
        if (pendingUnk) (ids.push(this.unk), (pendingUnk = false));
        ids.push(id);
        continue;
      }
      if (this.spec.byteFallback) {
        const bytes = utf8.encode(ch);
        const fb = Array.from(bytes, (b) => this.byteIds[b]);
        if (fb.every((x) => x >= 0)) {
          ids.push(...fb); // as HF: a pending unk is not flushed before byte tokens
          continue;
        }
      }
      if (this.unk < 0) continue;
      if (pendingUnk && !this.spec.fuseUnk) ids.push(this.unk);
      pendingUnk = true;
    }
    if (pendingUnk) ids.push(this.unk);
    return mergeWord(ids, this.mergeTable as MergeTable);
  }

  decode(ids: readonly number[]): string {
    const d = this.spec.decoder;
    const parts: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (!bytes.length) return;
      try {
        parts.push(new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)));
      } catch {
        parts.push('\uFFFD'.repeat(bytes.length)); // HF ByteFallback: one U+FFFD per byte of an invalid run
      }
      bytes = [];
    };
    let first = true;
    for (const id of ids) {
      const tok = this.idToToken[id];
      if (tok === undefined || this.special.has(id)) continue;
      const b = d.byteFallback ? this.byteOf.get(id) : undefined;
      if (b !== undefined) bytes.push(b);
      else {
        flush();
        parts.push(first && d.metaspaceFirst ? tok.replaceAll(d.replacement, '') : tok.replaceAll(d.replacement, ' '));
      }
      first = false;
    }
    flush();
    let text = parts.join('');
    for (let i = 0; i < d.stripLeading && text.startsWith(' '); i++) text = text.slice(1);
    return text;
  }

  /** Streaming decode: the text each id adds; '' while byte tokens end inside a UTF-8 character. */
  decoder(): (id: number) => string {
    const ids: number[] = [];
    let shown = 0;
    return (id) => {
      ids.push(id);
      const tail = this.incompleteTail(ids);
      if (tail) return '';
      const text = this.decode(ids);
      const delta = text.slice(shown);
      shown = text.length;
      return delta;
    };
  }

  /** Whether the ids end in byte tokens that do not yet make whole UTF-8 characters. */
  private incompleteTail(ids: readonly number[]): boolean {
    if (!this.spec.decoder.byteFallback) return false;
    const tail: number[] = [];
    for (let i = ids.length - 1; i >= 0; i--) {
      const b = this.byteOf.get(ids[i]);
      if (b === undefined) break;
      tail.unshift(b);
    }
    if (!tail.length) return false;
    let need = 0;
    for (const b of tail) {
      if (need > 0 && (b & 0xc0) === 0x80) need--;
      else need = b >= 0xf0 ? 3 : b >= 0xe0 ? 2 : b >= 0xc0 ? 1 : 0;
    }
    return need > 0;
  }

  /** The tokenizer.json document as it was read (HF's own format). */
  toJSON(): Record<string, unknown> {
    return this.spec.doc;
  }
}
