import type { BpeSpec } from './bpeTokenizer.ts';
import { readBosTemplate } from './bosTemplate.ts';
import { literalAlternation } from './pretokenize.ts';
import { type Doc, obj, readBpeTables, typeName } from './tokenizerJsonParts.ts';

/**
 * Reads an HF tokenizer.json into a {@link BpeSpec}. Supported: model BPE (merges as "a b" strings or
 * [a, b] pairs, `ignore_merges`, `unk_token`), normalizer null, pre_tokenizer ByteLevel or
 * Sequence[Split(Isolated), ByteLevel], decoder ByteLevel, post_processor ByteLevel, null or a TemplateProcessing that puts one special token (BOS)
 * before the text (or a Sequence of those), no
 * truncation/padding, `added_tokens`. Anything else throws an Error naming the key and value, because
 * silently ignoring it would give ids that differ from HF's.
 */
export function parseBpeJSON(doc: Doc): BpeSpec {
  const model = obj(doc.model, 'model');
  if (model.type !== undefined && model.type !== 'BPE') unsupported('model.type', model.type);
  for (const key of ['continuing_subword_prefix', 'end_of_word_suffix'] as const) {
    if (model[key] != null && model[key] !== '') unsupported(`model.${key}`, model[key]);
  }
  if (model.dropout != null && model.dropout !== 0) unsupported('model.dropout', model.dropout);
  if (model.fuse_unk === true) unsupported('model.fuse_unk', true);
  if (model.byte_fallback === true) unsupported('model.byte_fallback', true);
  if (doc.normalizer != null) unsupported('normalizer', typeName(doc.normalizer));
  if (doc.truncation != null) unsupported('truncation', 'non-null');
  if (doc.padding != null) unsupported('padding', 'non-null');
  const decoder = doc.decoder == null ? null : obj(doc.decoder, 'decoder');
  if (decoder?.type !== 'ByteLevel') unsupported('decoder', typeName(doc.decoder));
  const post = readBosTemplate(doc.post_processor);
  if (!post.exact) unsupported('post_processor', typeName(doc.post_processor));
  const { byteLevel, isolatePattern } = readPreTokenizer(doc.pre_tokenizer);

  const { vocab, merges, addedTokens } = readBpeTables(doc, model);
  return {
    vocab,
    merges,
    addedTokens,
    addPrefixSpace: byteLevel.add_prefix_space === true,
    trimOffsets: byteLevel.trim_offsets !== false,
    useRegex: byteLevel.use_regex !== false,
    isolatePattern,
    ignoreMerges: model.ignore_merges === true,
    unkToken: typeof model.unk_token === 'string' ? model.unk_token : null,
    bosToken: post.bos,
  };
}

function readPreTokenizer(pt: unknown): { byteLevel: Doc; isolatePattern: string | null } {
  const p = obj(pt, 'pre_tokenizer');
  if (p.type === 'ByteLevel') return { byteLevel: p, isolatePattern: null };
  if (p.type === 'Sequence' && Array.isArray(p.pretokenizers) && p.pretokenizers.length === 2) {
    const split = obj(p.pretokenizers[0], 'pre_tokenizer.pretokenizers[0]');
    const bl = obj(p.pretokenizers[1], 'pre_tokenizer.pretokenizers[1]');
    if (split.type === 'Split' && split.behavior === 'Isolated' && split.invert !== true && bl.type === 'ByteLevel') {
      const pattern = obj(split.pattern, 'pre_tokenizer.pretokenizers[0].pattern');
      if (typeof pattern.String === 'string') return { byteLevel: bl, isolatePattern: literalAlternation([pattern.String]) };
      if (typeof pattern.Regex === 'string') return { byteLevel: bl, isolatePattern: pattern.Regex };
    }
  }
  return unsupported('pre_tokenizer', typeName(pt));
}

function unsupported(key: string, value: unknown): never {
  throw new Error(
    `tokenizer.json: unsupported ${key} = ${typeof value === 'string' ? value : JSON.stringify(value)}; ` +
      'Versiflow loads byte-level BPE (ByteLevel pre-tokenizer/decoder, no normalizer, no dropout/prefix/suffix) and SentencePiece-style BPE ("▁" via Metaspace or a Prepend/Replace normalizer, byte_fallback)',
  );
}
