/** The browser page's SHA-256/HMAC (build-web aliases node:crypto to it) gives node:crypto's digests, so the page's watermark check sees the same green lists. */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import * as shim from '../../../src/cli/ship/web/cryptoShim.ts';
import { poetruSeed } from '../../../src/model/watermark/poetru.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('crypto shim', () => {
  it('SHA-256 of the FIPS 180-2 examples and of every length across the 55/56/64-byte padding edges', () => {
    expect(hex(shim.createHash('sha256').update('abc').digest())).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(shim.createHash('sha256').update('').digest())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    for (let n = 0; n <= 130; n++) {
      const s = 'é'.repeat(n % 3) + 'x'.repeat(n);
      expect(hex(shim.createHash('sha256').update(s).digest()), `length ${n}`).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });

  it('HMAC-SHA-256 with short and over-64-byte keys; readBigUInt64LE as Buffer reads it', () => {
    for (const key of ['k', 'secret', 'x'.repeat(64), 'y'.repeat(100)]) {
      const msg = `keyed:24000:1,2,${key.length}`;
      expect(hex(shim.createHmac('sha256', key).update(msg).digest())).toBe(createHmac('sha256', key).update(msg, 'utf8').digest('hex'));
      expect(shim.createHmac('sha256', key).update(msg).digest().readBigUInt64LE(0)).toBe(createHmac('sha256', key).update(msg, 'utf8').digest().readBigUInt64LE(0));
    }
    // poetru's documented seed: prev 126, V 24000
    expect(shim.createHash('sha256').update('kirchenbauer_soft:126:24000').digest().readBigUInt64LE(0)).toBe(9195847125392385889n);
    expect(poetruSeed(126, 24000)).toBe(9195847125392385889n);
  });
});
