import { describe, expect, it } from 'vitest';
import type { Token } from '../../../src/model/nn/generate.ts';
import { connectGenerate } from '../../../src/streams/feed/generateClient.ts';
import { startGenerateServer, type TokenSource } from '../../../src/streams/feed/generateServer.ts';

const BIG = 'x'.repeat(64 * 1024);
const N = 200;

/** A token source of N tokens of 64 KiB text each (12.5 MiB a stream: more than loopback socket buffers hold); counts what it produced. */
function bigSource(produced: Map<string, number>): TokenSource {
  return async function* (p): AsyncGenerator<Token> {
    const prompt = String(p);
    for (let index = 0; index < N; index++) {
      produced.set(prompt, index + 1);
      yield { index, id: index, text: BIG, logprob: -1, ...(index === N - 1 ? { finish: 'length' as const } : {}) };
    }
  };
}

describe('startGenerateServer', () => {
  it('a client that stops reading pauses only its own generation (bounded queue); it resumes when read', async () => {
    const produced = new Map<string, number>();
    const h = await startGenerateServer(bigSource(produced), { port: 0, model: { vocabSize: 1, context: 1, watermark: null }, maxQueue: 4, highWaterBytes: 64 * 1024 });
    const slow = await connectGenerate(h.url);
    const fast = await connectGenerate(h.url);
    // stop reading the slow client's socket: the server's buffer for it fills up
    const tcp = (slow.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    let slowTokens = 0;
    const s = slow.generate('slow', {}, () => slowTokens++);
    const f = fast.generate('fast', {}, () => undefined);
    const doneFast = await f.done;
    expect(doneFast.tokens).toBe(N);
    expect(produced.get('slow')!).toBeLessThan(N); // paused by its full queue, not run ahead into memory
    tcp.resume();
    expect((await s.done).tokens).toBe(N);
    expect(slowTokens).toBe(N);
    slow.close();
    fast.close();
    await h.close();
  });

  it('a disconnect cancels the client’s generations', async () => {
    const produced = new Map<string, number>();
    const h = await startGenerateServer(bigSource(produced), { port: 0, model: { vocabSize: 1, context: 1, watermark: null } });
    const c = await connectGenerate(h.url);
    let n = 0;
    const r = c.generate('p', {}, () => {
      if (++n === 2) c.close();
    });
    await expect(r.done).rejects.toThrow(/closed/);
    await new Promise((res) => setTimeout(res, 100));
    expect(h.active()).toBe(0);
    expect(produced.get('p')!).toBeLessThan(N);
    await h.close();
  });
});
