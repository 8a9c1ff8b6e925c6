import { readBosTemplate } from './bosTemplate.ts';
import type { AddedToken } from './pretokenize.ts';
import { type Doc, obj, readBpeTables, typeName } from './tokenizerJsonParts.ts';

/** One text rewrite of an HF normalizer: Prepend(s) or Replace(String pattern → content). */
export type SpNormalizeStep = { readonly prepend: string } | { readonly pattern: string; readonly content: string };

/** Everything a SentencePiece-style BPE tokenizer.json says, parsed. */
export interface SentencePieceSpec {
  readonly vocab: ReadonlyMap<string, number>;
  readonly merges: readonly (readonly [string, string])[];
  readonly addedTokens: readonly AddedToken[];
  /** Normalizer steps in order (Llama-2's legacy form: Prepend "▁", Replace " " → "▁"); [] for none. */
  readonly normalize: readonly SpNormalizeStep[];
  /** The Metaspace pre-tokenizer, or null (then each text segment is one word). */
  readonly metaspace: { readonly replacement: string; readonly prependScheme: 'always' | 'first' | 'never'; readonly split: boolean } | null;
  readonly byteFallback: boolean;
  readonly fuseUnk: boolean;
  readonly unkToken: string | null;
  readonly ignoreMerges: boolean;
  /** The special token the post_processor puts before each text (Llama's `<s>`), or null. */
  readonly bosToken: string | null;
  /**
   * The decoder: the word-boundary character turned back into a space (all of them removed from the
   * first token by a Metaspace decoder), <0xXX> tokens turned into bytes (only with a ByteFallback
   * step), then `stripLeading` leading spaces removed.
   */
  readonly decoder: { readonly replacement: string; readonly stripLeading: number; readonly metaspaceFirst: boolean; readonly byteFallback: boolean };
  /** The document as given, kept for toJSON (checkpoints and exports write it back unchanged). */
  readonly doc: Doc;
}

/**
 * True when an HF tokenizer.json is the SentencePiece-style BPE family (Llama 2, TinyLlama, Mistral,
 * Gemma-like): a BPE model with `byte_fallback`, or a Metaspace pre-tokenizer, or a normalizer that
 * writes "▁" for spaces.
 */
export function isSentencePieceBpe(doc: Doc): boolean {
  const model = doc.model as Doc | undefined;
  if (!model || (model.type !== undefined && model.type !== 'BPE')) return false;
  const pre = doc.pre_tokenizer as Doc | null | undefined;
  const norm = JSON.stringify(doc.normalizer ?? null);
  return model.byte_fallback === true || pre?.type === 'Metaspace' || norm.includes('▁');
}

/**
 * Reads a SentencePiece-style BPE tokenizer.json. Supported: model BPE (byte_fallback, fuse_unk,
 * unk_token, ignore_merges, merges as "a b" or [a, b]); normalizer null, Prepend, Replace with a
 * String pattern, or a Sequence of those; pre_tokenizer null or Metaspace (prepend_scheme always /
 * first / never, split, or the older add_prefix_space); decoder Metaspace or a Sequence of
 * Replace(▁ → " "), ByteFallback, Fuse, Strip(" ", n, 0). Of the post_processor only the BOS a
 * TemplateProcessing puts first is read (`bosToken`: documents and prompts start with it, as HF's
 * add_special_tokens=True); `encode` adds nothing, like HF's add_special_tokens=False. Anything else throws
 * naming the key, because ignoring it would give other ids than HF.
 */
export function parseSentencePieceJSON(doc: Doc): SentencePieceSpec {
  const model = obj(doc.model, 'model');
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) if (model[key] != null && model[key] !== '') unsupported(`model.${key}`, model[key]);
  if (model.dropout != null && model.dropout !== 0) unsupported('model.dropout', model.dropout);
  if (doc.truncation != null) unsupported('truncation', 'non-null');
  if (doc.padding != null) unsupported('padding', 'non-null');
  const { vocab, merges, addedTokens } = readBpeTables(doc, model);
  return {
    vocab,
    merges,
    addedTokens,
    normalize: readNormalizer(doc.normalizer),
    metaspace: readMetaspace(doc.pre_tokenizer),
    byteFallback: model.byte_fallback === true,
    fuseUnk: model.fuse_unk === true,
    unkToken: typeof model.unk_token === 'string' ? model.unk_token : null,
    ignoreMerges: model.ignore_merges === true,
    bosToken: readBosTemplate(doc.post_processor).bos,
    decoder: readDecoder(doc.decoder),
    doc,
  };
}

function readNormalizer(n: unknown): SpNormalizeStep[] {
  if (n == null) return [];
  const o = obj(n, 'normalizer');
  if (o.type === 'Sequence' && Array.isArray(o.normalizers)) return o.normalizers.flatMap((x: unknown) => readNormalizer(x));
  if (o.type === 'Prepend' && typeof o.prepend === 'string') return [{ prepend: o.prepend }];
  if (o.type === 'Replace') {
    const p = obj(o.pattern, 'normalizer.pattern');
    if (typeof p.String === 'string' && typeof o.content === 'string') return [{ pattern: p.String, content: o.content }];
  }
  return unsupported('normalizer', typeName(n));
}

function readMetaspace(p: unknown): SentencePieceSpec['metaspace'] {
  if (p == null) return null;
  const o = obj(p, 'pre_tokenizer');
  if (o.type !== 'Metaspace' || typeof o.replacement !== 'string') return unsupported('pre_tokenizer', typeName(p));
  const scheme = typeof o.prepend_scheme === 'string' ? o.prepend_scheme : o.add_prefix_space === false ? 'never' : 'always';
  if (scheme !== 'always' && scheme !== 'first' && scheme !== 'never') return unsupported('pre_tokenizer.prepend_scheme', scheme);
  return { replacement: o.replacement, prependScheme: scheme, split: o.split !== false };
}

function readDecoder(d: unknown): SentencePieceSpec['decoder'] {
  const o = obj(d, 'decoder');
  if (o.type === 'Metaspace' && typeof o.replacement === 'string') {
    const scheme = typeof o.prepend_scheme === 'string' ? o.prepend_scheme : o.add_prefix_space === false ? 'never' : 'always';
    return { replacement: o.replacement, stripLeading: 0, metaspaceFirst: scheme !== 'never', byteFallback: false };
  }
  if (o.type !== 'Sequence' || !Array.isArray(o.decoders)) return unsupported('decoder', typeName(d));
  let replacement = '▁';
  let stripLeading = 0;
  let byteFallback = false;
  for (const [i, x] of o.decoders.entries()) {
    const s = obj(x, `decoder.decoders[${i}]`);
    if (s.type === 'ByteFallback') byteFallback = true;
    if (s.type === 'ByteFallback' || s.type === 'Fuse') continue;
    if (s.type === 'Replace' && typeof obj(s.pattern, 'decoder.pattern').String === 'string' && s.content === ' ') replacement = (s.pattern as Doc).String as string;
    else if (s.type === 'Strip' && s.content === ' ' && typeof s.start === 'number' && !s.stop) stripLeading = s.start;
    else unsupported(`decoder.decoders[${i}]`, typeName(x));
  }
  return { replacement, stripLeading, metaspaceFirst: false, byteFallback };
}

function unsupported(key: string, value: unknown): never {
  throw new Error(
    `tokenizer.json: unsupported ${key} = ${typeof value === 'string' ? value : JSON.stringify(value)} for a SentencePiece-style BPE; ` +
      'Versiflow reads Prepend/Replace normalizers, the Metaspace pre-tokenizer and the Metaspace or Replace/ByteFallback/Fuse/Strip decoders',
  );
}
