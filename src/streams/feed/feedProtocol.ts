import type { RawData } from 'ws';
import { EVENT_TYPES, type RunStartEvent, type TrainEvent, type TrainEventType } from '../../core/events.ts';

/**
 * Messages of the WebSocket feed (docs/ws-protocol.md, schema in docs/ws-protocol.schema.json).
 * Server → client: every TrainEvent as is, plus the four control messages below.
 */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  /** Latest step seen (0 before any event) and the wall-clock ms the snapshot was taken. */
  readonly step: number;
  readonly time: number;
  readonly run: RunStartEvent | null;
  /** The last `snapshotSize` events of each type seen, oldest first. */
  readonly last: Partial<Record<TrainEventType, TrainEvent[]>>;
  /** Whole-run histories as [step, value], downsampled to ≤ 1000 points. */
  readonly loss: Array<[number, number]>;
  readonly valLoss: Array<[number, number]>;
}
export interface LaggedMessage { readonly type: 'lagged'; readonly skipped: number }
export interface ErrorMessage { readonly type: 'error'; readonly message: string }
export interface SubscribedMessage { readonly type: 'subscribed'; readonly types: TrainEventType[] }
export interface PongMessage { readonly type: 'pong' }

export type ServerMessage = TrainEvent | SnapshotMessage | LaggedMessage | ErrorMessage | SubscribedMessage | PongMessage;

export type ClientMessage =
  | { readonly type: 'subscribe'; readonly types: TrainEventType[] }
  | { readonly type: 'unsubscribe'; readonly types: TrainEventType[] }
  | { readonly type: 'ping' };

const KNOWN = new Set<string>(EVENT_TYPES);

/** Parses a comma list such as `eval,sample` into event types, or says which names are unknown. */
export function parseTypeList(list: readonly string[]): TrainEventType[] | { error: string } {
  const unknown = list.filter((t) => !KNOWN.has(t));
  if (unknown.length > 0) return { error: `unknown event type${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => JSON.stringify(t)).join(', ')}; known: ${EVENT_TYPES.join(', ')}` };
  return [...new Set(list)] as TrainEventType[];
}

/**
 * Validates one inbound frame. Never throws: whatever a client sends, the answer is a message or an
 * `{ error }` the server forwards to that client.
 */
export function parseClientMessage(data: RawData, isBinary: boolean): ClientMessage | { error: string } {
  if (isBinary) return { error: 'binary frames are not accepted; send JSON text such as {"type":"ping"}' };
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return { error: `message is not JSON: ${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? '…' : ''}` };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || typeof (msg as { type?: unknown }).type !== 'string') {
    return { error: 'message must be a JSON object with a string "type": subscribe, unsubscribe or ping' };
  }
  const m = msg as { type: string; types?: unknown };
  switch (m.type) {
    case 'ping':
      return { type: 'ping' };
    case 'subscribe':
    case 'unsubscribe': {
      if (!Array.isArray(m.types) || m.types.length === 0 || !m.types.every((t) => typeof t === 'string')) {
        return { error: `${m.type} needs "types": a non-empty array of event types (${EVENT_TYPES.join(', ')})` };
      }
      const types = parseTypeList(m.types as string[]);
      return 'error' in types ? types : { type: m.type, types };
    }
    default:
      return { error: `unknown message type ${JSON.stringify(m.type).slice(0, 60)}; expected subscribe, unsubscribe or ping` };
  }
}

/**
 * Undoes what JSON does to non-finite numbers: a NaN loss (divergence) or an Infinity goes over the wire
 * as `null`. No top-level event field is otherwise null, so a null there is read back as NaN, and
 * formatters print "NaN" instead of throwing.
 */
export function reviveEvent<T extends { type: string }>(msg: T): T {
  if (!KNOWN.has(msg.type)) return msg;
  let out: Record<string, unknown> | undefined;
  for (const [k, v] of Object.entries(msg)) {
    if (v === null) {
      out ??= { ...msg } as Record<string, unknown>;
      out[k] = NaN;
    }
  }
  return out === undefined ? msg : (out as unknown as T);
}
