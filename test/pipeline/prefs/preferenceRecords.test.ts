import { describe, expect, it } from 'vitest';
import { DataError } from '../../../src/core/errors/DataError.ts';
import { trainBpe } from '../../../src/model/tokenizer/bpeTrainer.ts';
import { CHAT_TOKENS, encodeChat } from '../../../src/model/tokenizer/chatTemplate.ts';
import { CharTokenizer } from '../../../src/model/tokenizer/charTokenizer.ts';
import { preferenceEncoder } from '../../../src/pipeline/prefs/encodePreference.ts';
import { preferenceRows } from '../../../src/pipeline/prefs/generatePreferences.ts';
import { pairUp, parsePreferenceRecord, readPreferenceRecords, unpair } from '../../../src/pipeline/prefs/preferenceRecords.ts';

describe('preference records (TRL layouts)', () => {
  it('reads paired and unpaired rows; unpair gives n true + n false rows, pairUp matches unpaired rows by prompt', () => {
    const paired = parsePreferenceRecord({ prompt: 'p', chosen: 'good', rejected: 'bad' }, 'f:1');
    const u1 = parsePreferenceRecord({ prompt: 'q', completion: 'yes', label: true }, 'f:2');
    const u2 = parsePreferenceRecord({ prompt: 'q', completion: 'no', label: false }, 'f:3');
    const lone = parsePreferenceRecord({ prompt: 'r', completion: 'alone', label: true }, 'f:4');
    expect(unpair([paired, u1])).toEqual([
      { prompt: 'p', completion: 'good', label: true },
      { prompt: 'p', completion: 'bad', label: false },
      { prompt: 'q', completion: 'yes', label: true },
    ]);
    expect(pairUp([paired, u1, u2, lone])).toEqual([
      { prompt: 'p', chosen: 'good', rejected: 'bad' },
      { prompt: 'q', chosen: 'yes', rejected: 'no' },
    ]);
  });

  it('names the row and what it has when a row is neither layout, or a label is not boolean', () => {
    expect(() => parsePreferenceRecord({ prompt: 'p', answer: 'x' }, 'prefs.jsonl:7')).toThrow(/prefs.jsonl:7: a preference row needs .* it has \[prompt, answer\]/);
    expect(() => parsePreferenceRecord({ prompt: 'p', completion: 'x', label: 'yes' }, 'prefs.jsonl:8')).toThrow(DataError);
  });

  it('reads the shipped sample: 16 conversational pairs', async () => {
    const rs = await readPreferenceRecords('data/prefs_sample.jsonl');
    expect(rs).toHaveLength(16);
    expect(rs.every((r) => r.kind === 'paired' && Array.isArray(r.prompt))).toBe(true);
  });
});

describe('preferenceEncoder', () => {
  it('plain text: prompt ids, completion ids + EOS (as TRL appends it)', () => {
    const tok = new CharTokenizer('abc '.split(''));
    const enc = preferenceEncoder(tok);
    expect(enc('ab ', 'cab')).toEqual({ prompt: tok.encode('ab '), completion: [...tok.encode('cab'), tok.eosId] });
    expect(enc('', 'a').prompt).toEqual([tok.eosId]); // an empty prompt starts at EOS
  });

  it('conversational: the completion is what SFT trains (assistant content + <|end|>), the prompt everything before it', () => {
    const tok = trainBpe(['Hello, how are you? I am fine, thank you.', 'Привет! Как дела?'], { vocabSize: 300, specialTokens: ['<|endoftext|>', ...CHAT_TOKENS] });
    const prompt = [{ role: 'user' as const, content: 'Hello, how are you?' }];
    const answer = [{ role: 'assistant' as const, content: 'I am fine, thank you.' }];
    const pair = preferenceEncoder(tok)(prompt, answer);
    const full = encodeChat(tok, [...prompt, ...answer]);
    const trained = full.ids.filter((_, i) => full.mask[i] === 1);
    expect(pair.completion).toEqual(trained);
    expect([...pair.prompt, ...pair.completion]).toEqual(full.ids.slice(0, pair.prompt.length + pair.completion.length));
    expect(tok.decode(pair.completion)).toBe('I am fine, thank you.'); // <|end|> decodes to ''
    expect(pair.completion.at(-1)).toBe(tok.encode('<|end|>')[0]);
    // the assistant's text as a plain string gives the same ids
    expect(preferenceEncoder(tok)(prompt, 'I am fine, thank you.')).toEqual(pair);
  });
});

describe('preferenceRows (what preferences generate writes)', () => {
  const items = [
    { prompt: 'p1', chosen: 'good 1' },
    { prompt: [{ role: 'user', content: 'p2' }], chosen: 'good 2' },
  ];
  const rejected = [
    { item: 0, preset: 'loops', text: 'la la la', finish: 'length' as const },
    { item: 1, preset: 'loops', text: 'bad 2', finish: 'eos' as const },
  ];
  it('paired: one row per prompt and preset; a conversational prompt gets assistant turns', () => {
    expect(preferenceRows(items, rejected, 'paired')).toEqual([
      { prompt: 'p1', chosen: 'good 1', rejected: 'la la la', preset: 'loops' },
      { prompt: [{ role: 'user', content: 'p2' }], chosen: [{ role: 'assistant', content: 'good 2' }], rejected: [{ role: 'assistant', content: 'bad 2' }], preset: 'loops' },
    ]);
  });
  it('unpaired: each reference answer once with label true, each generation with label false', () => {
    const rows = preferenceRows(items, rejected, 'unpaired');
    expect(rows.map((r) => [r.label, r.preset ?? null])).toEqual([[true, null], [true, null], [false, 'loops'], [false, 'loops']]);
    expect(rows.map((r) => parsePreferenceRecord(r, 'x').kind)).toEqual(['unpaired', 'unpaired', 'unpaired', 'unpaired']); // it reads back
  });
});
