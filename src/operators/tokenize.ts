import type { DocMeta, TokenizedDoc } from '../core/corpusDoc.ts';
import { map, type OperatorFunction } from 'rxjs';
import { encodeDocument } from '../model/tokenizer/documentIds.ts';
import type { Tokenizer } from '../model/tokenizer/types.ts';

export interface TokenizeOptions {
  /** Append the tokenizer's EOS id to each document (Poetru does; lets a model end a poem). @default true */
  readonly appendEos?: boolean;
}

/**
 * Encodes each document's text with `tokenizer` (its BOS first when it adds one: encodeDocument), keeping its index (and file, author, title and
 * language, when given).
 *
 * @example
 * readCorpus('data/ru_poetry.parquet').pipe(tokenize(tok)) // Observable<TokenizedDoc>
 */
export function tokenize(tokenizer: Tokenizer, opts: TokenizeOptions = {}): OperatorFunction<{ readonly text: string; readonly index: number; readonly file?: number } & DocMeta, TokenizedDoc> {
  const eos = (opts.appendEos ?? true) && tokenizer.eosId >= 0 ? [tokenizer.eosId] : [];
  return map((doc) => {
    const meta = docMeta(doc);
    return { index: doc.index, ids: Int32Array.from([...encodeDocument(tokenizer, doc.text), ...eos]), ...(doc.file !== undefined ? { file: doc.file } : {}), ...(meta ? { meta } : {}) };
  });
}

/** The row's author, title and language, or undefined when it has none of them. */
export function docMeta(row: DocMeta): DocMeta | undefined {
  if (row.author === undefined && row.title === undefined && row.language === undefined) return undefined;
  return { ...(row.author !== undefined ? { author: row.author } : {}), ...(row.title !== undefined ? { title: row.title } : {}), ...(row.language !== undefined ? { language: row.language } : {}) };
}
