import { BpeTokenizer } from '../../tokenizer/bpeTokenizer.ts';
import { CHAR_SPECIALS, CharTokenizer } from '../../tokenizer/charTokenizer.ts';
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
 * BOS = EOS = Versiflow's EOS (documents end with EOS, so a text starts after one), no BOS/EOS
 * added on encode (as Versiflow trains). Ids above the tokenizer's size (a padded model vocab) are
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
  const tokens: string[] = [];
  const types: number[] = [];
  const notes: string[] = [];
  let merges: string[] = [];
  if (t instanceof CharTokenizer) {
    CHAR_SPECIALS.forEach((s) => (tokens.push(s), types.push(TOKEN_TYPE.CONTROL)));
    for (const c of t.chars) (tokens.push(c), types.push(TOKEN_TYPE.USER_DEFINED));
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
    throw new Error(`GGUF export supports byte-level BPE and char tokenizers, not "${(t as Tokenizer).kind}"`);
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
    { key: 'tokenizer.ggml.bos_token_id', type: 'uint32', value: id(t.eosId) },
    { key: 'tokenizer.ggml.eos_token_id', type: 'uint32', value: id(t.eosId) },
    { key: 'tokenizer.ggml.padding_token_id', type: 'uint32', value: id(t.padId) },
    { key: 'tokenizer.ggml.add_bos_token', type: 'bool', value: false },
    { key: 'tokenizer.ggml.add_eos_token', type: 'bool', value: false },
  ];
  if (t.unkId >= 0) kv.push({ key: 'tokenizer.ggml.unknown_token_id', type: 'uint32', value: t.unkId });
  return { kv, notes };
}
