import { describe, expect, it } from 'vitest';
import { alphabetByCodePoint, BYTE_TO_CHAR, toByteLevel } from '../../../src/model/tokenizer/byteLevel.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { tokenizerFromJSON } from '../../../src/model/tokenizer/loadTokenizer.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';

describe('tokenizerFromJSON', () => {
  it('dispatches char and BPE documents and rejects others', () => {
    const char = CharTokenizer.fromTexts(['abc']);
    expect(tokenizerFromJSON(char.toJSON()).kind).toBe('char');
    const bpe = trainBpe(['hello world'], { vocabSize: 260 });
    const loaded = tokenizerFromJSON(bpe.toJSON());
    expect(loaded.kind).toBe('bpe');
    expect(loaded.hash).toBe(bpe.hash);
    expect(() => tokenizerFromJSON({ foo: 1 })).toThrow(/unknown tokenizer document/);
  });
});

describe('byte-level alphabet', () => {
  it('is GPT-2 bytes_to_unicode', () => {
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect(BYTE_TO_CHAR[0xad]).toBe('Ń');
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(toByteLevel(' Мир')).toBe('ĠÐľÐ¸ÑĢ');
    expect(alphabetByCodePoint()[0]).toBe('!');
  });
});
