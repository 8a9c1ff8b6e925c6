/**
 * The part of node:crypto the watermark schemes use (createHash('sha256'), createHmac('sha256', key),
 * update(text, 'utf8'), digest().readBigUInt64LE(0)), for the browser bundle of build-web: esbuild
 * aliases node:crypto to this file.
 */
import { hmacSha256, sha256 } from './sha256.ts';

class Digest extends Uint8Array {
  readBigUInt64LE(offset = 0): bigint {
    return new DataView(this.buffer, this.byteOffset, this.byteLength).getBigUint64(offset, true);
  }
}

const utf8 = (s: string | Uint8Array) => (typeof s === 'string' ? new TextEncoder().encode(s) : s);

function hasher(run: (data: Uint8Array) => Uint8Array) {
  const parts: Uint8Array[] = [];
  const h = {
    update(s: string | Uint8Array) {
      parts.push(utf8(s));
      return h;
    },
    digest(): Digest {
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) all.set(p, (o += p.length) - p.length);
      return new Digest(run(all));
    },
  };
  return h;
}

const only = (alg: string) => {
  if (alg !== 'sha256') throw new Error(`crypto shim: only sha256 (got ${alg})`);
};

export function createHash(alg: string) {
  only(alg);
  return hasher(sha256);
}

export function createHmac(alg: string, key: string | Uint8Array) {
  only(alg);
  return hasher((d) => hmacSha256(utf8(key), d));
}
