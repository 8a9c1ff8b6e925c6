import { WebSocket } from 'ws';
import type { ClientGenerateOptions, GeneratePrompt, GenerateServerMessage } from './generateProtocol.ts';

type Hello = Extract<GenerateServerMessage, { type: 'hello' }>;
type Done = Extract<GenerateServerMessage, { type: 'done' }>;
type TokenMsg = Extract<GenerateServerMessage, { type: 'token' }>;
type QueuedMsg = Extract<GenerateServerMessage, { type: 'queued' }>;

export interface ConnectOptions {
  /** The server's token (serve --token), sent as `Authorization: Bearer`. A `?token=` in the URL works too. */
  readonly token?: string;
  /** Extra handshake headers (tests send an Origin). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GenerateConnection {
  readonly hello: Hello;
  /** The underlying socket (tests pause it to play a slow reader). */
  readonly ws: WebSocket;
  /**
   * Sends a request (a text prompt, or a conversation for a chat model: hello.model.chat); `onToken` sees each token, `onQueued` each `queued` notice (the request waits for
   * a slot); resolves with the `done` message (rejects on an `error` for it).
   */
  generate(prompt: GeneratePrompt, options: ClientGenerateOptions, onToken: (t: TokenMsg) => void, onQueued?: (q: QueuedMsg) => void): { id: string; done: Promise<Done> };
  cancel(id: string): void;
  close(): void;
}

/**
 * Connects to `versiflow serve` (docs/generate-protocol.md); resolves after the server's hello. A
 * refused handshake (401 token, 403 origin, 503 full) rejects with the server's explanation.
 */
export function connectGenerate(url: string, connect: ConnectOptions = {}): Promise<GenerateConnection> {
  const ws = new WebSocket(url, { headers: { ...connect.headers, ...(connect.token ? { authorization: `Bearer ${connect.token}` } : {}) } });
  const pending = new Map<string, { onToken: (t: TokenMsg) => void; onQueued?: (q: QueuedMsg) => void; resolve: (d: Done) => void; reject: (e: Error) => void }>();
  let next = 0;
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d.slice(0, 1000 - body.length)));
      const refused = () => {
        reject(new Error(`${url} refused the connection (HTTP ${res.statusCode}): ${body.trim() || res.statusMessage}`));
        ws.terminate();
      };
      res.on('end', refused);
      res.on('error', refused);
    });
    // before open: the connection failed; after: a 'close' follows and fails what is pending
    ws.on('error', (e) => reject(new Error(`cannot connect to ${url}: ${e.message}`)));
    ws.on('close', () => {
      for (const p of pending.values()) p.reject(new Error(`connection to ${url} closed`));
      pending.clear();
    });
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as GenerateServerMessage;
      if (m.type === 'hello') {
        resolve({
          hello: m,
          ws,
          generate(prompt, options, onToken, onQueued) {
            const id = String(++next);
            const done = new Promise<Done>((res, rej) => pending.set(id, { onToken, onQueued, resolve: res, reject: rej }));
            const what = typeof prompt === 'string' ? { prompt } : { messages: prompt.messages, ...(prompt.system === undefined ? {} : { system: prompt.system }) };
            ws.send(JSON.stringify({ type: 'generate', id, ...what, options }));
            return { id, done };
          },
          cancel: (id) => ws.send(JSON.stringify({ type: 'cancel', id })),
          close: () => ws.close(),
        });
        return;
      }
      const p = m.id === undefined ? undefined : pending.get(m.id);
      if (!p) return;
      if (m.type === 'token') p.onToken(m);
      else if (m.type === 'queued') p.onQueued?.(m);
      else {
        pending.delete(m.id!);
        if (m.type === 'done') p.resolve(m);
        else p.reject(new Error(`server: ${m.message}`));
      }
    });
  });
}
