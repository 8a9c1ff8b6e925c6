import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { DataError } from '../../core/errors/DataError.ts';
import type { CorpusDoc } from '../../core/corpusDoc.ts';

/**
 * Streams the documents of a JSONL file line by line (readline over a read stream, 64 KB chunks), so
 * memory holds one chunk and one line. Each non-blank line must be a JSON object whose `textColumn`
 * key is a string; `author` (string) and `title` (string or null) are passed on when present.
 * Blank lines are skipped. Returning early (break, iterator.return) closes the file.
 *
 * @param label name used in error messages, as `label:line`.
 * @throws DataError for a malformed line (with the JSON parser's message), a line that is not an
 *   object, or one whose `textColumn` is missing or not a string.
 */
export async function* readJsonl(path: string, textColumn: string, label: string = path): AsyncGenerator<CorpusDoc> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  try {
    for await (const line of lines) {
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
      };
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
