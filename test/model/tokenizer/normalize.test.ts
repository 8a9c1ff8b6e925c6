import { describe, expect, it } from 'vitest';
import { normalizeString } from '../../../src/model/tokenizer/normalize.ts';

describe('normalizeString', () => {
  describe('crlf (on by default)', () => {
    it('turns \\r\\n into \\n and keeps a lone \\r', () => {
      expect(normalizeString('a\r\nb\r\n\r\nc\rd', {})).toBe('a\nb\n\nc\rd');
    });
    it('can be switched off', () => {
      expect(normalizeString('a\r\nb', { crlf: false })).toBe('a\r\nb');
    });
  });

  describe('nfc', () => {
    it('composes decomposed letters', () => {
      const decomposed = 'е\u0308лка, e\u0301te';
      expect(normalizeString(decomposed, { nfc: true })).toBe('ёлка, éte');
      expect(normalizeString(decomposed, {})).toBe(decomposed);
    });
  });

  describe('yo', () => {
    it('folds ё and Ё, composed or decomposed', () => {
      expect(normalizeString('Ёлка, ещё, Е\u0308ж, е\u0308ж', { yo: true })).toBe('Елка, еще, Еж, еж');
    });
    it('leaves other letters alone, including diaereses on Latin letters', () => {
      expect(normalizeString('Noël, naïve, ë, е', { yo: true })).toBe('Noël, naïve, ë, е');
    });
  });

  describe('quotes', () => {
    const q = (s: string) => normalizeString(s, { quotes: true });
    it('keeps guillemets and maps „ to «', () => {
      expect(q('«Слово» и „слово“')).toBe('«Слово» и «слово»');
    });
    it('reads English “ ” by context', () => {
      expect(q('He said “Go,” then “stop”.')).toBe('He said «Go,» then «stop».');
    });
    it('opens after an opening bracket, a dash or the start of the text, closes after a letter or punctuation', () => {
      expect(q('“A” (“b”) —“c” ”d” x“ “y')).toBe('«A» («b») —«c» «d» x» «y');
    });
    it('keeps the usual role of a quote with spaces on both sides', () => {
      expect(q('a “ b ” c')).toBe('a « b » c');
    });
    it('folds single quotes ‘ ’ ‚ to an apostrophe and leaves ASCII quotes alone', () => {
      expect(q('‘Tis ‚so‘ it’s "plain" \'x\'')).toBe('\'Tis \'so\' it\'s "plain" \'x\'');
    });
  });

  describe('dashes', () => {
    const d = (s: string) => normalizeString(s, { dashes: true });
    it('maps figure dash, en dash, em dash and horizontal bar to the em dash', () => {
      expect(d('1‒2 3–4 a—b c―d')).toBe('1—2 3—4 a—b c—d');
    });
    it('turns a spaced hyphen between words into an em dash, keeping the spacing', () => {
      expect(d('день - ночь, жизнь  -\tсмерть, a\u00a0- b')).toBe('день — ночь, жизнь  —\tсмерть, a\u00a0— b');
    });
    it('keeps hyphens inside words, at line starts, at line ends, doubled or across lines', () => {
      const s = 'кто-то\n- Кто там?\nслово -\nдальше a -- b x -y z- w';
      expect(d(s)).toBe(s);
    });
  });

  describe('ellipsis', () => {
    it('turns ... into … left to right and keeps …', () => {
      expect(normalizeString('Ах... и…. ....', { ellipsis: true })).toBe('Ах… и…. ….');
    });
  });

  it('does nothing but crlf when no rule is on', () => {
    const s = '„Ёж“ — ... ‘x’ а - б';
    expect(normalizeString(s, {})).toBe(s);
  });

  it('applies all rules together in the documented order', () => {
    const s = '„Е\u0308лка“ - ель...\r\n‘Tis “so”';
    expect(normalizeString(s, { nfc: true, yo: true, quotes: true, dashes: true, ellipsis: true })).toBe("«Елка» — ель…\n'Tis «so»");
  });
});
