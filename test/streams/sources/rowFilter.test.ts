import { describe, expect, it } from 'vitest';
import { compileFilter, parseFilter } from '../../../src/streams/sources/rowFilter.ts';

const COLS = ['overall_score', 'safety', 'pii_leak', 'lang', 'topic', 'flag'];
const keep = (expr: string, row: Record<string, unknown>) => compileFilter(expr, COLS)(row);

describe('filter expressions', () => {
  const REF = 'overall_score >= 6 and safety >= 8 and pii_leak == 0';

  it("evaluates the reference model's filter row by row", () => {
    expect(keep(REF, { overall_score: 6, safety: 8, pii_leak: 0 })).toBe(true);
    expect(keep(REF, { overall_score: 5.9, safety: 10, pii_leak: 0 })).toBe(false);
    expect(keep(REF, { overall_score: 9, safety: 7, pii_leak: 0 })).toBe(false);
    expect(keep(REF, { overall_score: 9, safety: 9, pii_leak: 1 })).toBe(false);
    expect(keep(REF, { overall_score: 9n, safety: 9n, pii_leak: 0n })).toBe(true); // Parquet INT64
    expect(keep(REF, { overall_score: null, safety: 9, pii_leak: 0 })).toBe(false); // missing fails comparisons
  });

  it('has and/or/not precedence, parentheses, strings, booleans, in-lists and strict equality', () => {
    const row = { overall_score: 4, safety: 9, pii_leak: 0, lang: 'ru', topic: "it's", flag: true };
    expect(keep('overall_score >= 6 or safety >= 8 and pii_leak == 0', row)).toBe(true); // and binds tighter
    expect(keep('(overall_score >= 6 or safety >= 8) and pii_leak == 1', row)).toBe(false);
    expect(keep('not overall_score >= 6', row)).toBe(true);
    expect(keep('not not flag', row)).toBe(true);
    expect(keep("lang == 'ru' and topic == \"it's\"", row)).toBe(true);
    expect(keep('lang in ["en", "fr"]', row)).toBe(false);
    expect(keep('lang not in ["en", "fr"] and flag == true', row)).toBe(true);
    expect(keep('overall_score == "4"', row)).toBe(false);
    expect(keep('overall_score != "4"', row)).toBe(true);
    expect(keep('overall_score > -1.5e0 and lang < "sv"', row)).toBe(true);
    expect(keep('lang > 3', row)).toBe(false); // string vs number: never ordered
    expect(keep('flag == True and pii_leak == False', { ...row, pii_leak: false })).toBe(true);
  });

  it('names an unknown column and lists the known ones', () => {
    expect(() => compileFilter('overall_score >= 6 and saftey >= 8', COLS)).toThrow(
      'filter: unknown column "saftey" (the data has columns: overall_score, safety, pii_leak, lang, topic, flag) at position 24',
    );
  });

  it('reports the position of a syntax error', () => {
    const at = (expr: string) => {
      try {
        parseFilter(expr);
      } catch (e) {
        return (e as Error).message.split('\n')[0];
      }
      return 'parsed';
    };
    expect(at('overall_score >= ')).toBe('filter: expected a value (number, "string", true/false/null, a column or "("), found the end of the expression at position 18 of "overall_score >= "');
    expect(at('safety = 8')).toBe('filter: unexpected character "=" (use == to compare) at position 8 of "safety = 8"');
    expect(at('(safety >= 8')).toMatch(/^filter: expected "\)", found the end of the expression at position 13/);
    expect(at('safety >= 8 pii_leak == 0')).toMatch(/^filter: unexpected "pii_leak" \(missing "and"\/"or"\?\) at position 13/);
    expect(at('lang == "ru')).toMatch(/^filter: unterminated string at position 9/);
    expect(at('safety >= 8 && x')).toMatch(/use and \/ or/);
    expect(at('')).toMatch(/empty expression/);
    // nothing is evaluated as code
    expect(at('process.exit(1)')).toMatch(/^filter: unexpected "\(" .* at position 13/);
  });
});
