import { CharTokenizer } from '../model/tokenizer/charTokenizer.ts';
import type { Tokenizer } from '../model/tokenizer/types.ts';

/** A tokenizer.json document (Versiflow char format) → Tokenizer. */
export function tokenizerFromJSON(doc: Record<string, unknown>): Tokenizer {
  if (doc.type === 'char') return CharTokenizer.fromJSON(doc);
  throw new Error('unsupported tokenizer.json (expected a Versiflow char tokenizer)');
}
