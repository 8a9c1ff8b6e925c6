import { map, type OperatorFunction } from 'rxjs';
import { normalizeString, type NormalizeOptions } from '../model/tokenizer/normalize.ts';
import type { CorpusRow } from '../core/corpusDoc.ts';

/**
 * Normalises the text of each corpus row (see {@link NormalizeOptions} for the exact rules and their
 * order); index, source, author and title pass through. A row whose text does not change is passed
 * on as the same object. Synchronous, one row in → one row out; cost is linear in the text length.
 *
 * @example
 * readCorpus('data/ru_poetry.parquet').pipe(normalizeText({ yo: true, quotes: true, dashes: true }))
 */
export function normalizeText(opts: NormalizeOptions): OperatorFunction<CorpusRow, CorpusRow> {
  return map((row) => {
    const text = normalizeString(row.text, opts);
    return text === row.text ? row : { ...row, text };
  });
}
