import { readFileSync } from 'node:fs';
import { DataError } from '../core/errors/DataError.ts';
import { type GenRecord, parseGenJsonl } from '../eval/genRecords.ts';

/** The records of a gen.jsonl file (`generate --n ... --out`); an unreadable file or a bad line is a DataError naming it. */
export function readGenFile(file: string): GenRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new DataError(`${file}: ${(e as Error).message}`);
  }
  return parseGenJsonl(text, file);
}
