import { describe, expect, it } from 'vitest';
import { findStop, stopHoldback } from '../../../../src/model/nn/sampling/stop.ts';

describe('findStop', () => {
  it('finds the earliest start of any stop string', () => {
    expect(findStop('Hello.\n\nNext', ['\n\n', '.'])).toBe(5);
    expect(findStop('Hello.\n\nNext', ['\n\n'])).toBe(6);
    expect(findStop('User: hi\nUser:', ['User:'])).toBe(0);
  });

  it('returns −1 when nothing matches and ignores empty stops', () => {
    expect(findStop('abc', ['x', ''])).toBe(-1);
    expect(findStop('abc', [])).toBe(-1);
  });
});

describe('stopHoldback', () => {
  it('holds back a suffix that may begin a stop string', () => {
    expect(stopHoldback('abc\n', ['\n\n'])).toBe(1);
    expect(stopHoldback('ab', ['bcd', 'x'])).toBe(1);
    expect(stopHoldback('xabc', ['abcd', 'c'])).toBe(3);
    expect(stopHoldback('abc', ['x', ''])).toBe(0);
  });
});
