import { describe, expect, it } from 'vitest';
import { csvRecords, parseCsv } from '../../../src/eval/report/parseCsv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, quotes and line breaks; CRLF; no trailing empty row', () => {
    expect(parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\n2,"two\nlines",\n')).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
    expect(parseCsv('')).toEqual([]);
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
  });

  it('keys records by the header, missing trailing fields empty', () => {
    expect(csvRecords('step,loss,val_loss\n1,4.5\n2,4.1,4.0\n').records).toEqual([
      { step: '1', loss: '4.5', val_loss: '' },
      { step: '2', loss: '4.1', val_loss: '4.0' },
    ]);
  });
});
