import { BpeTokenizer } from './bpeTokenizer.ts';
import { CharTokenizer } from './charTokenizer.ts';
import type { Tokenizer } from './types.ts';

/**
 * Builds the tokenizer a tokenizer.json document describes: `{type: "char"}` → CharTokenizer, an HF document
 * (with a `model` object) → BpeTokenizer. Throws naming what it found otherwise.
 */
export function tokenizerFromJSON(doc: Record<string, unknown>): Tokenizer {
  if (doc.type === 'char') return CharTokenizer.fromJSON(doc);
  if (doc.model && typeof doc.model === 'object') return BpeTokenizer.fromJSON(doc);
  throw new Error(`unknown tokenizer document: expected {type: "char"} or an HF tokenizer.json with a "model" (got keys ${Object.keys(doc).join(', ') || 'none'})`);
}
