import { describe, it, expect, vi } from 'vitest';
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hostAllowed, isLoopbackHost, requestToken, tokenMatches } from '../../../src/streams/feed/feedAuth.ts';

// the real function, watched: tokenMatches must compare through it, on equal-length digests
vi.mock('node:crypto', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:crypto')>();
  return { ...real, timingSafeEqual: vi.fn(real.timingSafeEqual) };
});

const req = (url: string, authorization?: string) => ({ url, headers: authorization ? { authorization } : {} }) as IncomingMessage;

describe('feedAuth', () => {
  it('knows loopback addresses from reachable ones', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', '10.0.0.1', 'example.com', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('on a loopback-bound server, lets through only requests that name a loopback host (DNS rebinding)', () => {
    const withHost = (host?: string) => ({ url: '/metrics', headers: host === undefined ? {} : { host } }) as IncomingMessage;
    for (const h of ['127.0.0.1:9000', 'localhost:9000', 'LOCALHOST', '[::1]:9000', '127.0.0.2']) expect(hostAllowed(withHost(h), '127.0.0.1'), h).toBe(true);
    for (const h of ['evil.example:9000', 'evil.example', '192.168.1.5:9000', '[2001:db8::1]:9000']) expect(hostAllowed(withHost(h), '127.0.0.1'), h).toBe(false);
    expect(hostAllowed(withHost(), '::1')).toBe(true); // HTTP/1.0: no Host header, not a browser
    expect(hostAllowed(withHost('evil.example'), '0.0.0.0')).toBe(true); // reachable servers need a token instead
  });

  it('reads the token from a Bearer header first, else from ?token=', () => {
    expect(requestToken(req('/?token=q', 'Bearer h'))).toBe('h');
    expect(requestToken(req('/?token=q', 'Basic abc'))).toBe('q');
    expect(requestToken(req('/?types=eval&token=a%20b'))).toBe('a b');
    expect(requestToken(req('/'))).toBeNull();
  });

  it('matches tokens exactly', () => {
    expect(tokenMatches('s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('s3cre', 's3cret')).toBe(false);
    expect(tokenMatches('s3cret ', 's3cret')).toBe(false);
    expect(tokenMatches(null, 's3cret')).toBe(false);
  });

  it('compares in constant time: crypto.timingSafeEqual over two 32-byte digests, whatever the lengths', () => {
    const spy = vi.mocked(timingSafeEqual);
    spy.mockClear();
    for (const [a, b] of [['x', 'a-much-longer-secret-value'], ['s3cret', 's3cret'], ['', 's3cret'], ['é'.repeat(500), 's3cret']]) tokenMatches(a, b);
    expect(spy).toHaveBeenCalledTimes(4);
    for (const [a, b] of spy.mock.calls) {
      expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });
});
