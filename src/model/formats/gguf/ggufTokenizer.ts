import { BpeTokenizer } from '../../tokenizer/bpeTokenizer.ts';
import { CHAR_BOS, CHAR_SPECIALS, CharTokenizer } from '../../tokenizer/charTokenizer.ts';
import { SentencePieceBpeTokenizer } from '../../tokenizer/sentencePieceBpeTokenizer.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import type { GgufKv } from './ggufFile.ts';

/**
 * A Versiflow tokenizer as llama.cpp's `tokenizer.ggml.*` metadata [ggml-org/llama.cpp
 * src/llama-vocab.cpp, gguf-py constants]. Always `tokenizer.ggml.model` "gpt2" (llama.cpp's BPE):
 *
 * - byte-level BPE: tokens are the HF byte-level strings as they are, merges "a b" in rank order,
 *   specials CONTROL, other added tokens USER_DEFINED. `tokenizer.ggml.pre` "gpt-2" selects
 *   llama.cpp's GPT-2 split `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`,
 *   which is exactly Versiflow's BYTE_LEVEL_PATTERN (pretokenize.ts; HF's ByteLevel use_regex).
 *   The other presets (llama3, qwen2, …) split digits, case or CJK differently.
 * - char: llama.cpp's "gpt2" model reads every NORMAL token as byte-level text, which a char
 *   vocabulary is not ("а" would be two byte symbols and no merge joins them). So every character is a
 *   USER_DEFINED token with its raw text: llama.cpp cuts user-defined tokens out of the text before
 *   BPE (longest first) and prints their text as it is, which gives CharTokenizer's ids; no merges.
 *   A character outside the vocabulary is dropped by llama.cpp (Versiflow gives [UNK]).
 *
 * A tokenizer that adds BOS (bos_token) writes its BOS id and `add_bos_token` true, so llama.cpp
 * starts every prompt with it as Versiflow trained; otherwise BOS = EOS = Versiflow's EOS (documents
 * end with EOS, so a text starts after one) and no BOS is added. EOS is never added on encode. Ids above the tokenizer's size (a padded model vocab) are
 * UNUSED placeholders.
 */

/** llama.cpp token types (llama_token_type). */
export const TOKEN_TYPE = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface GgufTokenizerMeta {
  readonly kv: GgufKv[];
  /** What differs from Versiflow's own tokenization, for the export's notes. */
  readonly notes: string[];
}

/** tokenizer.ggml.* keys for `t` over a model vocabulary of `vocabSize` (≥ t.vocabSize). */
export function ggufTokenizerKv(t: Tokenizer, vocabSize: number): GgufTokenizerMeta {
  if (t instanceof SentencePieceBpeTokenizer) return sentencePieceKv(t, vocabSize);
  const tokens: string[] = [];
  const types: number[] = [];
  const notes: string[] = [];
  let merges: string[] = [];
  if (t instanceof CharTokenizer) {
    CHAR_SPECIALS.forEach((s) => (tokens.push(s), types.push(TOKEN_TYPE.CONTROL)));
    for (const c of t.chars) (tokens.push(c), types.push(TOKEN_TYPE.USER_DEFINED));
    if (t.addBos) (tokens.push(CHAR_BOS), types.push(TOKEN_TYPE.CONTROL));
    types[t.unkId] = TOKEN_TYPE.UNKNOWN;
    notes.push('char vocabulary written as llama.cpp user-defined tokens (raw text, no merges): llama.cpp encodes and decodes it like CharTokenizer, except that it drops characters outside the vocabulary instead of giving [UNK]');
  } else if (t instanceof BpeTokenizer) {
    const added = new Map(t.spec.addedTokens.map((a) => [a.id, a]));
    for (let id = 0; id < t.vocabSize; id++) {
      const a = added.get(id);
      const s = t.idToTokenString(id);
      tokens.push(s ?? `[UNUSED_${id}]`);
      types.push(s === undefined ? TOKEN_TYPE.UNUSED : a ? (a.special ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED) : TOKEN_TYPE.NORMAL);
    }
    if (t.unkId >= 0) types[t.unkId] = TOKEN_TYPE.UNKNOWN;
    merges = t.spec.merges.map(([a, b]) => `${a} ${b}`);
    if (t.spec.isolatePattern) notes.push(`the tokenizer's isolating Split (user symbols /${t.spec.isolatePattern}/) has no llama.cpp equivalent: llama.cpp may merge across those symbols when it encodes text (ids it is given, and decoding, are unaffected)`);
    if (t.spec.addPrefixSpace) notes.push('add_prefix_space has no llama.cpp "gpt2" equivalent: llama.cpp encodes text without the leading space');
  } else {
    throw new Error(`GGUF export supports byte-level BPE, SentencePiece-style BPE and char tokenizers, not "${(t as Tokenizer).kind}"`);
  }
  if (vocabSize < tokens.length) throw new Error(`the model's vocab_size ${vocabSize} is smaller than the tokenizer's ${tokens.length} tokens`);
  for (let id = tokens.length; id < vocabSize; id++) (tokens.push(`[UNUSED_${id}]`), types.push(TOKEN_TYPE.UNUSED));
  const id = (n: number) => (n >= 0 ? n : 0);
  const kv: GgufKv[] = [
    { key: 'tokenizer.ggml.model', type: 'string', value: 'gpt2' },
    { key: 'tokenizer.ggml.pre', type: 'string', value: 'gpt-2' },
    { key: 'tokenizer.ggml.tokens', type: 'array', elem: 'string', value: tokens },
    { key: 'tokenizer.ggml.token_type', type: 'array', elem: 'int32', value: types },
    { key: 'tokenizer.ggml.merges', type: 'array', elem: 'string', value: merges },
    { key: 'tokenizer.ggml.bos_token_id', type: 'uint32', value: id(t.addBos ? t.bosId : t.eosId) },
    { key: 'tokenizer.ggml.eos_token_id', type: 'uint32', value: id(t.eosId) },
    { key: 'tokenizer.ggml.padding_token_id', type: 'uint32', value: id(t.padId) },
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: t.addBos },
    { key: 'tokenizer.ggml.add_eos_token', type: 'bool', value: false },
  ];
  if (t.unkId >= 0) kv.push({ key: 'tokenizer.ggml.unknown_token_id', type: 'uint32', value: t.unkId });
  return { kv, notes };
}

/**
 * A SentencePiece-style BPE as llama.cpp's "llama" (SPM) vocabulary: pieces as they are ("▁" words),
 * `<0xXX>` as BYTE tokens, specials CONTROL, and a score per piece from the merge that makes it
 * (earlier merge = higher score), since llama.cpp merges the adjacent pair whose concatenation has the
 * highest score, as SentencePiece's BPE does. HF applies only listed merges; llama.cpp any pair whose
 * concatenation is a piece, so a vocabulary with pieces no merge produces may tokenize text
 * differently there (ids given to it are unaffected). add_space_prefix unless prepend_scheme never.
 */
function sentencePieceKv(t: SentencePieceBpeTokenizer, vocabSize: number): GgufTokenizerMeta {
  const s = t.spec;
  const tokens: string[] = [];
  const types: number[] = [];
  const scores: number[] = [];
  const rankOf = new Map<string, number>();
  s.merges.forEach(([a, b], r) => rankOf.has(a + b) || rankOf.set(a + b, r));
  const added = new Map(s.addedTokens.map((a) => [a.id, a]));
  const byId: string[] = [];
  for (const [tok, id] of s.vocab) byId[id] = tok;
  for (let id = 0; id < t.vocabSize; id++) {
    const a = added.get(id);
    const tok = a?.content ?? byId[id];
    tokens.push(tok ?? `[UNUSED_${id}]`);
    const type = tok === undefined ? TOKEN_TYPE.UNUSED : id === t.unkId ? TOKEN_TYPE.UNKNOWN : a ? (a.special ? TOKEN_TYPE.CONTROL : TOKEN_TYPE.USER_DEFINED) : /^<0x[0-9A-F]{2}>$/.test(tok) ? TOKEN_TYPE.BYTE : TOKEN_TYPE.NORMAL;
    types.push(type);
    const r = tok === undefined ? undefined : rankOf.get(tok);
    scores.push(r !== undefined ? -r : type === TOKEN_TYPE.NORMAL && [...tok!].length > 1 ? -1e9 : 0);
  }
  if (vocabSize < tokens.length) throw new Error(`the model's vocab_size ${vocabSize} is smaller than the tokenizer's ${tokens.length} tokens`);
  for (let id = tokens.length; id < vocabSize; id++) (tokens.push(`[UNUSED_${id}]`), types.push(TOKEN_TYPE.UNUSED), scores.push(-1e9));
  const prefix = s.metaspace ? s.metaspace.prependScheme !== 'never' : s.normalize.some((n) => 'prepend' in n);
  const id = (n: number) => (n >= 0 ? n : 0);
  const bos = t.addBos ? t.bosId : t.tokenToId('<s>');
  const kv: GgufKv[] = [
    { key: 'tokenizer.ggml.model', type: 'string', value: 'llama' },
    { key: 'tokenizer.ggml.tokens', type: 'array', elem: 'string', value: tokens },
    { key: 'tokenizer.ggml.scores', type: 'array', elem: 'float32', value: scores },
    { key: 'tokenizer.ggml.token_type', type: 'array', elem: 'int32', value: types },
    { key: 'tokenizer.ggml.bos_token_id', type: 'uint32', value: id(bos >= 0 ? bos : t.eosId) },
    { key: 'tokenizer.ggml.eos_token_id', type: 'uint32', value: id(t.eosId) },
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: t.addBos },
    { key: 'tokenizer.ggml.add_eos_token', type: 'bool', value: false },
    { key: 'tokenizer.ggml.add_space_prefix', type: 'bool', value: prefix },
  ];
  if (t.unkId >= 0) kv.push({ key: 'tokenizer.ggml.unknown_token_id', type: 'uint32', value: t.unkId });
  if (t.padId >= 0) kv.push({ key: 'tokenizer.ggml.padding_token_id', type: 'uint32', value: t.padId });
  const notes = ['SentencePiece-style BPE written as llama.cpp\'s SPM vocabulary (tokenizer.ggml.model "llama", piece scores from the merge order, <0xXX> as byte tokens); llama.cpp merges by score, HF by listed merges: the same ids for vocabularies converted from SentencePiece'];
  if (!s.byteFallback || t.tokenToId('<0x80>') < 0) notes.push('the tokenizer has no <0xXX> byte tokens: llama.cpp aborts (std::out_of_range) when it tokenizes a character outside the vocabulary; ids given to it, and texts within the vocabulary, are fine');
  if (prefix && s.addedTokens.some((a) => !a.special)) notes.push('llama.cpp puts a "▁" before the text after each user-defined symbol (HF and SentencePiece only at the start): text with those symbols tokenizes differently there');
  return { kv, notes };
}
