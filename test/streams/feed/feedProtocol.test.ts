import { describe, it, expect } from 'vitest';
import { parseClientMessage, parseTypeList, reviveEvent } from '../../../src/streams/feed/feedProtocol.ts';
import { EVENT_TYPES } from '../../../src/core/events.ts';
import { validateClientMessage, validateServerMessage } from './feedTestClient.ts';
import { scriptedRun } from '../../fixtures/scriptedRun.ts';

const text = (s: string) => parseClientMessage(Buffer.from(s), false);

describe('feedProtocol', () => {
  it('accepts exactly the client messages the schema accepts', () => {
    const cases: unknown[] = [
      { type: 'ping' },
      { type: 'subscribe', types: ['eval', 'sample'] },
      { type: 'unsubscribe', types: ['train/step'] },
      { type: 'subscribe', types: [] },
      { type: 'subscribe', types: ['evals'] },
      { type: 'subscribe', types: 'eval' },
      { type: 'pong' },
      { types: ['eval'] },
      [1],
      null,
      42,
    ];
    for (const c of cases) {
      const parsed = text(JSON.stringify(c));
      expect('error' in parsed, JSON.stringify(c)).toBe(!validateClientMessage(c));
    }
  });

  it('returns parsed subscriptions without duplicates', () => {
    expect(text('{"type":"subscribe","types":["eval","eval","sample"]}')).toEqual({ type: 'subscribe', types: ['eval', 'sample'] });
    expect(parseTypeList(['x', 'eval', 'y'])).toEqual({ error: expect.stringMatching(/^unknown event types "x", "y"; known: /) });
  });

  it('never throws on garbage', () => {
    for (const g of ['', '{', '\u0000', 'undefined', '"str"', '{"type":{}}']) expect(text(g)).toHaveProperty('error');
    expect(parseClientMessage([Buffer.from('{"type":'), Buffer.from('"ping"}')], false)).toEqual({ type: 'ping' });
    expect(parseClientMessage(Buffer.from('{"type":"ping"}'), true)).toHaveProperty('error');
  });

  it('has a schema for every event type, matching the scripted events', () => {
    const seen = new Set<string>();
    for (const e of scriptedRun({ steps: 60, watermarkEvery: 30, prefEvery: 30, dataProgress: true })) {
      expect(validateServerMessage(e), JSON.stringify(e)).toBe(true);
      seen.add(e.type);
    }
    expect([...seen].sort()).toEqual([...EVENT_TYPES].sort());
    expect(validateServerMessage({ type: 'eval', step: 1, time: 2, valLoss: 1 })).toBe(false);
    expect(validateServerMessage({ type: 'lagged', skipped: 3 })).toBe(true);
  });

  it('carries non-finite numbers as null and reads them back as NaN', () => {
    const [, step] = scriptedRun({ steps: 1 });
    const wire = JSON.parse(JSON.stringify({ ...step, loss: NaN, etaS: Infinity }));
    expect(wire.loss).toBeNull();
    expect(validateServerMessage(wire)).toBe(true);
    const back = reviveEvent(wire);
    expect(back.loss).toBeNaN();
    expect(back.etaS).toBeNaN();
    expect(back.lr).toBe(step.type === 'train/step' ? step.lr : 0);
    const snapshotLike = { type: 'snapshot', run: null };
    expect(reviveEvent(snapshotLike)).toBe(snapshotLike);
  });
});
