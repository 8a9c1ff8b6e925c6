import { readFile } from 'node:fs/promises';
import type { CorpusDoc } from '../../core/corpusDoc.ts';

/**
 * Yields a plain-text file as one document, nanoGPT style (`input.txt`): the text is kept exactly,
 * line breaks and all; splitting into training and validation is then by characters
 * (see splitSingleText in split.ts). Reads the whole file: such corpora are a few MB.
 */
export async function* readText(path: string): AsyncGenerator<CorpusDoc> {
  yield { text: await readFile(path, 'utf8') };
}
