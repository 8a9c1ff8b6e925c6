import { describe, expect, it } from 'vitest';
import { applyWatermark, watermarkLogits } from '../../../src/model/watermark/apply.ts';
import { poetruScheme } from '../../../src/model/watermark/poetru.ts';

describe('applyWatermark', () => {
  it('adds δ to green ids only, in place', () => {
    const logits = Float32Array.of(0, 1, 2, 3, 4);
    const out = applyWatermark(logits, [1, 3], 2);
    expect(out).toBe(logits);
    expect(Array.from(logits)).toEqual([0, 3, 2, 5, 4]);
  });
});

describe('watermarkLogits', () => {
  it('boosts the green list of the last id by the scheme δ', () => {
    const scheme = poetruScheme({ vocabSize: 24000 });
    const logits = new Float32Array(24000);
    watermarkLogits(logits, [9, 126], scheme);
    const green = scheme.greenList([126]);
    let boosted = 0;
    for (let v = 0; v < 24000; v++) {
      expect(logits[v]).toBe(green.mask[v] ? 2 : 0);
      boosted += logits[v] > 0 ? 1 : 0;
    }
    expect(boosted).toBe(6000);
  });

  it('leaves logits alone without a context', () => {
    const logits = new Float32Array(100);
    watermarkLogits(logits, [], poetruScheme({ vocabSize: 100 }));
    expect(logits.every((x) => x === 0)).toBe(true);
  });
});
