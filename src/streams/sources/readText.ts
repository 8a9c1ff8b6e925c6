import { readFile } from 'node:fs/promises';
import { DataError } from '../../core/errors/DataError.ts';
import type { CorpusDoc } from '../../core/corpusDoc.ts';
import { codecOf, decodedStream } from './decodedStream.ts';

/**
 * Yields a plain-text file as one document, nanoGPT style (`input.txt`): the text is kept exactly,
 * line breaks and all; splitting into training and validation is then by characters
 * (see splitSingleText in split.ts). Reads the whole file (decompressed, for `.txt.gz` / `.txt.zst`):
 * such corpora are a few MB.
 */
export async function* readText(path: string, label: string = path): AsyncGenerator<CorpusDoc> {
  if (codecOf(path) === 'none') {
    const text = await readFile(path, 'utf8');
    yield { text, filePos: Buffer.byteLength(text) };
    return;
  }
  const chunks: Buffer[] = [];
  const stream = decodedStream(path);
  try {
    for await (const c of stream) chunks.push(c as Buffer);
  } catch (e) {
    throw new DataError(`${label}: cannot read (${(e as Error).message}); is the file complete and its compression what its name says?`);
  }
  yield { text: Buffer.concat(chunks).toString('utf8'), filePos: stream.fileBytesRead() };
}
