import { BpeTokenizer } from './bpeTokenizer.ts';
import { CharTokenizer } from './charTokenizer.ts';
import { isSentencePieceBpe } from './parseSentencePieceJSON.ts';
import { SentencePieceBpeTokenizer } from './sentencePieceBpeTokenizer.ts';
import type { Tokenizer } from './types.ts';

/** HF model types that are not BPE, with what they are, for the refusal. */
const OTHER_MODELS: Readonly<Record<string, string>> = {
  Unigram: 'SentencePiece unigram (T5, ALBERT, XLNet style)',
  WordPiece: 'WordPiece (BERT style)',
  WordLevel: 'word-level',
};

/**
 * Builds the tokenizer a tokenizer.json document describes: `{type: "char"}` → CharTokenizer; an HF
 * document with a BPE model → SentencePieceBpeTokenizer when it is SentencePiece-style (byte_fallback,
 * Metaspace, "▁" normalizer), else the byte-level BpeTokenizer. Throws naming the model type for
 * Unigram, WordPiece and WordLevel, and what it found otherwise.
 */
export function tokenizerFromJSON(doc: Record<string, unknown>): Tokenizer {
  if (doc.type === 'char') return CharTokenizer.fromJSON(doc);
  if (doc.model && typeof doc.model === 'object') {
    const type = (doc.model as Record<string, unknown>).type;
    if (typeof type === 'string' && type !== 'BPE') {
      throw new Error(`tokenizer.json: model type ${type}${OTHER_MODELS[type] ? ` (${OTHER_MODELS[type]})` : ''} is not supported; Versiflow reads BPE tokenizers: byte-level (GPT-2 style) and SentencePiece-style (Llama 2 style, "▁" and byte_fallback), and its own char tokenizers`);
    }
    return isSentencePieceBpe(doc) ? SentencePieceBpeTokenizer.fromJSON(doc) : BpeTokenizer.fromJSON(doc);
  }
  throw new Error(`unknown tokenizer document: expected {type: "char"} or an HF tokenizer.json with a "model" (got keys ${Object.keys(doc).join(', ') || 'none'})`);
}
