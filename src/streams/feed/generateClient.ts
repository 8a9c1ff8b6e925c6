import { WebSocket } from 'ws';
import type { ClientGenerateOptions, GenerateServerMessage } from './generateProtocol.ts';

type Hello = Extract<GenerateServerMessage, { type: 'hello' }>;
type Done = Extract<GenerateServerMessage, { type: 'done' }>;
type TokenMsg = Extract<GenerateServerMessage, { type: 'token' }>;

export interface GenerateConnection {
  readonly hello: Hello;
  /** The underlying socket (tests pause it to play a slow reader). */
  readonly ws: WebSocket;
  /** Sends a request; `onToken` sees each token; resolves with the `done` message (rejects on an `error` for it). */
  generate(prompt: string, options: ClientGenerateOptions, onToken: (t: TokenMsg) => void): { id: string; done: Promise<Done> };
  cancel(id: string): void;
  close(): void;
}

/** Connects to `versiflow serve` (docs/generate-protocol.md); resolves after the server's hello. */
export function connectGenerate(url: string): Promise<GenerateConnection> {
  const ws = new WebSocket(url);
  const pending = new Map<string, { onToken: (t: TokenMsg) => void; resolve: (d: Done) => void; reject: (e: Error) => void }>();
  let next = 0;
  return new Promise((resolve, reject) => {
    ws.once('error', (e) => reject(new Error(`cannot connect to ${url}: ${e.message}`)));
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
          generate(prompt, options, onToken) {
            const id = String(++next);
            const done = new Promise<Done>((res, rej) => pending.set(id, { onToken, resolve: res, reject: rej }));
            ws.send(JSON.stringify({ type: 'generate', id, prompt, options }));
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
      else {
        pending.delete(m.id!);
        if (m.type === 'done') p.resolve(m);
        else p.reject(new Error(`server: ${m.message}`));
      }
    });
  });
}
