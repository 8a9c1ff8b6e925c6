import { bosTemplate, readBosTemplate } from '../../tokenizer/bosTemplate.ts';
import { CHAR_BOS, CHAR_SPECIALS, CharTokenizer } from '../../tokenizer/charTokenizer.ts';
import { CHAT_TEMPLATE, hasChatTokens } from '../../tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../tokenizer/types.ts';
import type { SpecialIds } from './hfConfig.ts';

/**
 * Tokenizer files of a Hugging Face folder: tokenizer.json, tokenizer_config.json and
 * special_tokens_map.json, from a Versiflow tokenizer, and back.
 *
 * A byte-level BPE tokenizer's document already is an HF tokenizer.json (same ids as HF tokenizers).
 * A char tokenizer becomes a BPE model without merges over its characters, with a Split pre-tokenizer
 * that isolates every code point, [UNK] for unseen characters and a Fuse decoder: HF tokenizers and
 * transformers.js give the same ids as CharTokenizer, and decode them back to the same text. (Not a
 * WordLevel model: transformers.js's WordLevel returns no id for an unseen character.) One
 * difference remains: the specials are added tokens there, so a text containing the literal string
 * "[EOS]" becomes one id in HF and five characters in Versiflow (which never matches specials in text).
 */

type Doc = Record<string, unknown>;

/** Marks an exported char tokenizer, so import can tell it from any WordLevel tokenizer. */
const CHAR_PATTERN = '[\\s\\S]';

/**
 * HF tokenizer.json of a char tokenizer (see the file comment). A char tokenizer with BOS has [BOS] as an
 * added token after the characters (not in the model vocabulary) and a TemplateProcessing that puts it first.
 */
export function charTokenizerJson(t: CharTokenizer): Doc {
  const vocab: Record<string, number> = {};
  CHAR_SPECIALS.forEach((s, i) => (vocab[s] = i));
  t.chars.forEach((c, i) => (vocab[c] = i + CHAR_SPECIALS.length));
  const specials: [string, number][] = [...CHAR_SPECIALS.map((s, i): [string, number] => [s, i]), ...(t.addBos ? [[CHAR_BOS, t.bosId] as [string, number]] : [])];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'Split', pattern: { Regex: CHAR_PATTERN }, behavior: 'Isolated', invert: false },
    post_processor: t.addBos ? bosTemplate(CHAR_BOS, t.bosId) : null,
    decoder: { type: 'Fuse' },
    model: {
      type: 'BPE', dropout: null, unk_token: '[UNK]', continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false,
      vocab, merges: [],
    },
  };
}

/**
 * An HF tokenizer.json written by charTokenizerJson (or one of the same form: BPE without merges,
 * one code point per token, the three specials at ids 0..2, ids without gaps, the isolating Split)
 * → Versiflow's char document; null for anything else.
 */
export function charDocFromHf(doc: Doc): Doc | null {
  const model = doc.model as Doc | undefined;
  const pre = doc.pre_tokenizer as Doc | undefined;
  if (model?.type !== 'BPE' || !Array.isArray(model.merges) || model.merges.length > 0 || pre?.type !== 'Split' || (pre.pattern as Doc | undefined)?.Regex !== CHAR_PATTERN) return null;
  const vocab = model.vocab as Record<string, number>;
  const byId: string[] = [];
  for (const [tok, id] of Object.entries(vocab)) byId[id] = tok;
  if (CHAR_SPECIALS.some((s, i) => byId[i] !== s)) return null;
  const chars = byId.slice(CHAR_SPECIALS.length);
  if (chars.length + CHAR_SPECIALS.length !== Object.keys(vocab).length || chars.some((c) => c === undefined || [...c].length !== 1)) return null;
  return new CharTokenizer(chars, { bos: readBosTemplate(doc.post_processor).bos === CHAR_BOS }).toJSON();
}

/** The tokenizer.json of an export: the BPE document as it is, or the char tokenizer's HF form. */
export function hfTokenizerJson(t: Tokenizer): Doc {
  return t instanceof CharTokenizer ? charTokenizerJson(t) : t.toJSON();
}

/** Content of token `id` in an HF tokenizer.json (added tokens first, then the model vocabulary); null if none. */
export function tokenContent(doc: Doc, id: number): string | null {
  if (id < 0) return null;
  const added = Array.isArray(doc.added_tokens) ? (doc.added_tokens as Doc[]) : [];
  const a = added.find((t) => t.id === id);
  if (a && typeof a.content === 'string') return a.content;
  const vocab = ((doc.model as Doc | undefined)?.vocab ?? {}) as Record<string, number>;
  for (const [tok, v] of Object.entries(vocab)) if (v === id) return tok;
  return null;
}

/**
 * Special ids for config.json: the BOS of a tokenizer that adds one (bos_token); otherwise EOS also
 * serves as BOS (Versiflow ends every document with EOS, so a text starts after one, and an empty
 * prompt starts from EOS, as GPT-2's <|endoftext|>).
 */
export function specialIdsOf(t: Tokenizer): SpecialIds {
  const id = (n: number) => (n >= 0 ? n : null);
  return { bos: id(t.addBos ? t.bosId : t.eosId), eos: id(t.eosId), pad: id(t.padId) };
}

/** special_tokens_map.json: the special tokens by role (roles without a token are left out). */
export function specialTokensMap(t: Tokenizer, doc: Doc): Record<string, string> {
  const out: Record<string, string> = {};
  const eos = tokenContent(doc, t.eosId);
  if (eos !== null) {
    out.bos_token = eos;
    out.eos_token = eos;
  }
  const bos = t.addBos ? tokenContent(doc, t.bosId) : null;
  if (bos !== null) out.bos_token = bos;
  const pad = tokenContent(doc, t.padId);
  if (pad !== null) out.pad_token = pad;
  const unk = tokenContent(doc, t.unkId);
  if (unk !== null) out.unk_token = unk;
  return out;
}

/**
 * tokenizer_config.json: PreTrainedTokenizerFast over tokenizer.json (BOS added on encode when the
 * tokenizer adds one, as its tokenizer.json's TemplateProcessing does; never EOS; no clean-up of spaces on decode, which would change the text), the special
 * tokens, the context as model_max_length, and the chat template (as `chat_template`) when the
 * tokenizer has the chat tokens.
 */
export function tokenizerConfigJson(t: Tokenizer, doc: Doc, context: number): Doc {
  const added = Array.isArray(doc.added_tokens) ? (doc.added_tokens as Doc[]) : [];
  const decoder: Record<string, Doc> = {};
  for (const a of added) {
    decoder[String(a.id)] = { content: a.content, lstrip: a.lstrip === true, normalized: a.normalized === true, rstrip: a.rstrip === true, single_word: a.single_word === true, special: a.special === true };
  }
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    model_max_length: context,
    add_bos_token: t.addBos,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    ...specialTokensMap(t, doc),
    added_tokens_decoder: decoder,
    ...(hasChatTokens(t) ? { chat_template: CHAT_TEMPLATE } : {}),
  };
}
