import { DataError } from '../../core/errors/DataError.ts';
import type { CorpusDoc } from '../../core/corpusDoc.ts';
import { decodedStream, textLines } from './decodedStream.ts';

/**
 * Streams the documents of a JSONL file line by line (64 KB chunks, decompressed on the fly for
 * `.jsonl.gz` and `.jsonl.zst`), so memory holds one chunk and one line. Each non-blank line must be a JSON object whose `textColumn`
 * key is a string; `author` (string), `title` (string or null) and `language` (string) are passed on
 * when present.
 * Blank lines are skipped. Returning early (break, iterator.return) closes the file.
 *
 * @param label name used in error messages, as `label:line`.
 * @throws DataError for a malformed line (with the JSON parser's message), a line that is not an
 *   object, one whose `textColumn` is missing or not a string, or a file that cannot be read or
 *   decompressed.
 */
export async function* readJsonl(path: string, textColumn: string, label: string = path): AsyncGenerator<CorpusDoc> {
  const lines = textLines(decodedStream(path));
  let lineNo = 0;
  try {
    for (;;) {
      let next: IteratorResult<string>;
      try {
        next = await lines.next();
      } catch (e) {
        throw new DataError(`${label}: cannot read${lineNo > 0 ? ` past line ${lineNo}` : ''} (${(e as Error).message}); is the file complete and its compression what its name says?`);
      }
      if (next.done) break;
      const line = next.value;
      lineNo++;
      if (line.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (e) {
        throw new DataError(`${label}:${lineNo}: malformed JSON (${(e as Error).message}); each line must be one JSON object`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new DataError(`${label}:${lineNo}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}`);
      }
      const obj = value as Record<string, unknown>;
      const text = obj[textColumn];
      if (typeof text !== 'string') {
        const got = text === undefined ? `no key "${textColumn}" (keys: ${Object.keys(obj).join(', ') || 'none'})` : `"${textColumn}" is ${text === null ? 'null' : typeof text}`;
        throw new DataError(`${label}:${lineNo}: ${got}; every line needs a string "${textColumn}"`);
      }
      yield {
        text,
        ...(typeof obj.author === 'string' ? { author: obj.author } : {}),
        ...(typeof obj.title === 'string' || obj.title === null ? { title: obj.title } : {}),
        ...(typeof obj.language === 'string' ? { language: obj.language } : {}),
      };
    }
  } finally {
    await lines.return(undefined);
  }
}
