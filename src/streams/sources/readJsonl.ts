import { createReadStream } from 'node:fs';
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
  const stream = decodedStream(path);
  const lines = textLines(stream);
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
      yield { ...parseJsonlLine(line, textColumn, `${label}:${lineNo}`), filePos: stream.fileBytesRead() };
    }
  } finally {
    await lines.return(undefined);
  }
}

/**
 * One non-blank JSONL line as a document: `textColumn` (a string, required) plus `author`, `title`
 * and `language` when present. `where` (file:line) starts each error message.
 * @throws DataError for malformed JSON, a non-object, or a missing or non-string text.
 */
export function parseJsonlLine(line: string, textColumn: string, where: string): CorpusDoc {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new DataError(`${where}: malformed JSON (${(e as Error).message}); each line must be one JSON object`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DataError(`${where}: expected a JSON object, got ${Array.isArray(value) ? 'an array' : String(value === null ? 'null' : typeof value)}`);
  }
  const obj = value as Record<string, unknown>;
  const text = obj[textColumn];
  if (typeof text !== 'string') {
    const got = text === undefined ? `no key "${textColumn}" (keys: ${Object.keys(obj).join(', ') || 'none'})` : `"${textColumn}" is ${text === null ? 'null' : typeof text}`;
    throw new DataError(`${where}: ${got}; every line needs a string "${textColumn}"`);
  }
  return {
    text,
    ...(typeof obj.author === 'string' ? { author: obj.author } : {}),
    ...(typeof obj.title === 'string' || obj.title === null ? { title: obj.title } : {}),
    ...(typeof obj.language === 'string' ? { language: obj.language } : {}),
  };
}

/**
 * The documents of the lines of an uncompressed JSONL file that start in bytes [start, end): a line
 * belongs to the range its first byte lies in, so ranges that tile a file read each line once. Lets
 * workers tokenize one file in parallel. Errors name the line's byte offset.
 */
export async function* readJsonlRange(path: string, textColumn: string, start: number, end: number, label: string = path): AsyncGenerator<CorpusDoc> {
  const from = start > 0 ? start - 1 : 0; // one byte early: a newline there means a line starts at `start`
  let skipping = start > 0;
  let carry: Buffer = Buffer.alloc(0);
  let carryAt = from; // file offset of carry[0]
  const doc = (buf: Buffer, i: number, nl: number, at: number): CorpusDoc | null => {
    const line = buf.toString('utf8', i, nl > i && buf[nl - 1] === 13 ? nl - 1 : nl);
    return line.trim() === '' ? null : { ...parseJsonlLine(line, textColumn, `${label} (line at byte ${at})`), filePos: at + (nl - i) + 1 };
  };
  const stream = createReadStream(path, { start: from, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      const bufAt = carryAt;
      let i = 0;
      if (skipping) {
        const nl = buf.indexOf(10);
        if (nl < 0) {
          carry = Buffer.alloc(0);
          carryAt = bufAt + buf.length;
          continue;
        }
        i = nl + 1;
        skipping = false;
      }
      for (let nl = buf.indexOf(10, i); nl >= 0 && bufAt + i < end; nl = buf.indexOf(10, i)) {
        const d = doc(buf, i, nl, bufAt + i);
        if (d) yield d;
        i = nl + 1;
      }
      if (bufAt + i >= end) return;
      carry = buf.subarray(i);
      carryAt = bufAt + i;
    }
    if (!skipping && carry.length > 0 && carryAt < end) {
      const d = doc(carry, 0, carry.length, carryAt);
      if (d) yield { ...d, filePos: carryAt + carry.length };
    }
  } finally {
    stream.destroy();
  }
}
