import { describe, expect, it } from 'vitest';
import { applyMinNewTokens } from '../../../../src/model/nn/sampling/minNewTokens.ts';

describe('applyMinNewTokens', () => {
  it('bans every EOS id until minNewTokens tokens were generated', () => {
    const early = Float32Array.of(1, 2, 3);
    applyMinNewTokens(early, 2, 3, [0, 2]);
    expect(Array.from(early)).toEqual([-Infinity, 2, -Infinity]);
    const done = Float32Array.of(1, 2, 3);
    applyMinNewTokens(done, 3, 3, [0, 2]);
    expect(Array.from(done)).toEqual([1, 2, 3]);
  });
});
