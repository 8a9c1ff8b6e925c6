import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import WebSocket from 'ws';

const schema = JSON.parse(readFileSync(new URL('../../../docs/ws-protocol.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv({ allErrors: true });
ajv.addSchema(schema);
/** Validators for the documented protocol. */
export const validateServerMessage: ValidateFunction = ajv.getSchema(`${schema.$id}#/definitions/serverMessage`)!;
export const validateClientMessage: ValidateFunction = ajv.getSchema(`${schema.$id}#/definitions/clientMessage`)!;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = { type: string; [k: string]: any };

/** A real `ws` client that records every message and checks each against the protocol schema. */
export class FeedTestClient {
  readonly messages: Msg[] = [];
  /** Messages that failed schema validation, with ajv's explanation. */
  readonly invalid: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Msg;
      if (!validateServerMessage(msg)) invalid(this, msg);
      this.messages.push(msg);
      for (const w of this.waiters) w();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static async connect(url: string, headers?: Record<string, string>): Promise<FeedTestClient> {
    const ws = new WebSocket(url, { headers });
    const c = new FeedTestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    await c.waitFor((m) => m.type === 'snapshot');
    return c;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  events(): Msg[] {
    return this.messages.filter((m) => !['snapshot', 'lagged', 'error', 'subscribed', 'pong'].includes(m.type));
  }

  /** Resolves with the first message (from the start) matching `pred`. */
  waitFor(pred: (m: Msg) => boolean, timeoutMs = 10_000): Promise<Msg> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const m = this.messages.find(pred);
        if (!m) return false;
        clearTimeout(t);
        this.waiters = this.waiters.filter((w) => w !== onMsg);
        resolve(m);
        return true;
      };
      const onMsg = () => void check();
      const t = setTimeout(() => reject(new Error(`no matching message within ${timeoutMs} ms; got ${this.messages.map((m) => m.type).join(',')}`)), timeoutMs);
      if (!check()) this.waiters.push(onMsg);
    });
  }

  close(): void {
    this.ws.close();
  }
}

function invalid(c: FeedTestClient, msg: Msg) {
  c.invalid.push(`${JSON.stringify(msg).slice(0, 200)}: ${ajv.errorsText(validateServerMessage.errors)}`);
}

/** A connection attempt expected to fail: resolves with the HTTP status of the refusal. */
export function refusedStatus(url: string, headers?: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => reject(new Error('connection was accepted')));
    ws.once('error', () => undefined);
  });
}

/** A connection attempt expected to be refused: the HTTP status, body and headers of the refusal. */
export function refusal(url: string, headers?: Record<string, string>): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body, headers: res.headers });
        ws.terminate();
      });
    });
    ws.once('open', () => reject(new Error('connection was accepted')));
    ws.on('error', () => undefined);
  });
}
