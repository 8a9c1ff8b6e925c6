import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { ClientGuard, gateUpgrade, parseOrigins, selfOrigins, type UpgradeGate } from '../../../src/streams/feed/wsGuard.ts';

const names = { what: 'feed', origins: 'ws_origins', token: 'ws_token', maxClients: 'ws_max_clients' };
const req = (headers: Record<string, string>) => ({ url: '/', headers }) as unknown as IncomingMessage;

describe('wsGuard', () => {
  it('parses allow-lists: origins normalised as browsers send them, * alone, bad entries named', () => {
    expect(parseOrigins('', 'k')).toEqual(new Set());
    expect(parseOrigins(undefined, 'k')).toEqual(new Set());
    expect(parseOrigins(' https://Dash.Example:8443/ , http://localhost:3000,https://x.example:443', 'k')).toEqual(
      new Set(['https://dash.example:8443', 'http://localhost:3000', 'https://x.example']),
    );
    expect(parseOrigins('https://a.example,*', 'k')).toBe('*');
    expect(parseOrigins(['*'], 'k')).toBe('*');
    expect(() => parseOrigins('https://a.example/app', 'ws_origins')).toThrow(/^ws_origins: "https:\/\/a\.example\/app" is not an origin/);
    expect(() => parseOrigins('https://user@a.example', 'k')).toThrow(/not an origin/);
  });

  it('knows its own origins: the bound host, and the loopback names when bound to loopback or a wildcard', () => {
    expect(selfOrigins('127.0.0.1', 7447)).toEqual(
      new Set(['127.0.0.1', 'localhost', '[::1]'].flatMap((h) => [`http://${h}:7447`, `https://${h}:7447`])),
    );
    expect(selfOrigins('0.0.0.0', 80)).toEqual(new Set(['http://127.0.0.1', 'https://127.0.0.1:80', 'http://localhost', 'https://localhost:80', 'http://[::1]', 'https://[::1]:80']));
    expect(selfOrigins('192.168.1.5', 7447)).toEqual(new Set(['http://192.168.1.5:7447', 'https://192.168.1.5:7447']));
  });

  it('gates in order: origin (403), token (401), cap (503)', () => {
    let n = 0;
    const gate: UpgradeGate = { origins: new Set(['https://ok.example']), self: () => selfOrigins('127.0.0.1', 9), token: 't', maxClients: 1, clients: () => n, names };
    expect(gateUpgrade(req({ origin: 'https://evil.example', authorization: 'Bearer t' }), gate)?.status).toBe(403);
    expect(gateUpgrade(req({ origin: 'https://ok.example' }), gate)?.status).toBe(401);
    expect(gateUpgrade(req({ origin: 'http://localhost:9', authorization: 'Bearer t' }), gate)).toBeUndefined();
    expect(gateUpgrade(req({ 'sec-websocket-origin': 'https://evil.example', authorization: 'Bearer t' }), gate)?.status).toBe(403);
    n = 1;
    expect(gateUpgrade(req({ authorization: 'Bearer t' }), gate)).toMatchObject({ status: 503, headers: { 'retry-after': '5' } });
  });

  it('refills the bucket with time and forgets strikes after the window', () => {
    let t = 0;
    const g = new ClientGuard({ burst: 2, perSecond: 4, strikes: 2, strikeWindowMs: 100 }, () => t);
    expect([g.admit(), g.admit(), g.admit()]).toEqual([true, true, false]);
    t = 250; // one message's worth
    expect([g.admit(), g.admit()]).toEqual([true, false]);
    t = 10_000; // capped at the burst
    expect([g.admit(), g.admit(), g.admit()]).toEqual([true, true, false]);
    expect(g.strike()).toBe(false);
    t += 100;
    expect(g.strike()).toBe(false); // the first one left the window
    t += 50;
    expect(g.strike()).toBe(true);
  });
});
