import { PassThrough } from 'node:stream';
import { WebSocket } from 'ws';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatCommand } from '../../src/cli/chatCommand.ts';
import { serveCommand } from '../../src/cli/serveCommand.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { connectGenerate } from '../../src/streams/feed/generateClient.ts';
import type { GenerateServerHandle } from '../../src/streams/feed/generateServer.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt = '';
beforeAll(async () => {
  await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
});

/** Starts `versiflow serve` on port 0, runs `body` against it, then stops it. */
async function withServer(body: (h: GenerateServerHandle) => Promise<void>, ...flags: string[]): Promise<string> {
  const c = captureIO();
  let failure: unknown;
  const code = await serveCommand(['--checkpoint', ckpt, '--port', '0', '--backend', 'cpu', ...flags], c.io, {
    until: (h) => body(h).catch((e: unknown) => void (failure = e)),
  });
  if (failure) throw failure;
  expect(code).toBe(0);
  return c.err();
}

// minNewTokens bans EOS, so random weights never end a stream early
const OPTS = { maxNewTokens: 40, minNewTokens: 40, temperature: 1, topK: 0, seed: 4 };

describe('versiflow serve', () => {
  it('serves two clients at once, interleaved, each its own stream; a seed reproduces across clients', async () => {
    const log = await withServer(async (h) => {
      const [a, b] = await Promise.all([connectGenerate(h.url), connectGenerate(h.url)]);
      expect(a.hello).toMatchObject({ type: 'hello', protocol: 2, model: { context: 64 }, limits: { maxPromptTokens: 64, maxNewTokens: 1024, maxConcurrent: 2, maxQueued: 32 } });
      const order: string[] = [];
      const ta: string[] = [];
      const tb: string[] = [];
      const ra = a.generate('ab', OPTS, (t) => (order.push('a'), ta.push(t.text)));
      const rb = b.generate('ab', OPTS, (t) => (order.push('b'), tb.push(t.text)));
      const [da, db] = await Promise.all([ra.done, rb.done]);
      expect(da).toMatchObject({ type: 'done', tokens: ta.length, finish: expect.stringMatching(/length|eos/) });
      expect(db.tokens).toBe(tb.length);
      expect(ta).toEqual(tb); // same prompt and seed
      // neither waited for the other to finish: their tokens interleave
      const firstB = order.indexOf('b');
      expect(firstB).toBeLessThan(order.lastIndexOf('a'));
      a.close();
      b.close();
    });
    expect(log).toMatch(/serving .* on ws:\/\/127\.0\.0\.1:\d+\//);
  });

  it('cancel stops a generation early with finish "cancelled"', async () => {
    await withServer(async (h) => {
      const c = await connectGenerate(h.url);
      let n = 0;
      const r = c.generate('ab', { ...OPTS, maxNewTokens: 1000, minNewTokens: 1000 }, () => {
        if (++n === 3) c.cancel(r.id);
      });
      const done = await r.done;
      expect(done.finish).toBe('cancelled');
      expect(done.tokens).toBeLessThan(20);
      c.close();
    }, '--max-new-tokens', '1000');
  });

  it('answers bad requests with an error naming the problem', async () => {
    await withServer(async (h) => {
      const ws = new WebSocket(h.url);
      const msgs: Record<string, unknown>[] = [];
      await new Promise<void>((resolve) => {
        ws.on('message', (d) => {
          msgs.push(JSON.parse(String(d)));
          if (msgs.length === 1) ws.send(JSON.stringify({ type: 'generate', id: 'x', prompt: 'a', options: { topk: 3 } }));
          else resolve();
        });
      });
      expect(msgs[1]).toMatchObject({ type: 'error', id: 'x', message: expect.stringMatching(/unknown option "topk"/) });
      ws.close();
    });
  });

  it('refuses a non-loopback --host without --token, and a default --max-new-tokens over the limit', async () => {
    for (const [flags, msg] of [
      [['--host', '0.0.0.0'], /serve: --host 0\.0\.0\.0 can be reached from other machines, but no --token is set/],
      [['--max-new-tokens', '2000'], /serve: --max-new-tokens 2000 is above --max-new-tokens-limit 1024/],
      [['--max-concurrent', '0'], /serve: --max-concurrent must be an integer ≥ 1, got 0/],
      [['--origins', 'evil.example'], /serve --origins: "evil\.example" is not an origin/],
    ] as const) {
      const c = captureIO();
      expect(await serveCommand(['--checkpoint', ckpt, '--port', '0', '--backend', 'cpu', ...flags], c.io, { until: async () => undefined }), flags.join(' ')).toBe(2);
      expect(c.err()).toMatch(msg);
    }
  });

  it('--token: clients without it get 401; chat --connect with ?token= gets in', async () => {
    const log = await withServer(async (h) => {
      await expect(connectGenerate(h.url)).rejects.toThrow(/HTTP 401/);
      const input = new PassThrough();
      const c = captureIO();
      const done = chatCommand(['--connect', `${h.url}?token=s3cret`], c.io, input);
      input.end('/max_tokens 3\nhi\n/quit\n');
      expect(await done).toBe(0);
      expect(c.out()).toMatch(/\(3 tokens, [\d.]+ tok\/s\)/);
    }, '--token', 's3cret');
    expect(log).toContain('token required');
  });

  it('bounds prompts by the context in tokens and maxNewTokens by --max-new-tokens-limit; queues past --max-concurrent', async () => {
    const log = await withServer(async (h) => {
      const c = await connectGenerate(h.url);
      await expect(c.generate('a'.repeat(65), OPTS, () => undefined).done).rejects.toThrow("prompt is 65 tokens; the limit is 64 tokens (the model's context)");
      await expect(c.generate('ab', { ...OPTS, maxNewTokens: 51, minNewTokens: 0 }, () => undefined).done).rejects.toThrow(/maxNewTokens 51 is over this server's limit of 50/);
      const positions: number[] = [];
      const first = c.generate('ab', OPTS, () => undefined);
      const second = c.generate('ab', OPTS, () => undefined, (q) => positions.push(q.position));
      const [d1, d2] = await Promise.all([first.done, second.done]);
      expect([d1.tokens, d2.tokens]).toEqual([40, 40]);
      expect(positions).toEqual([1]);
      c.close();
    }, '--max-concurrent', '1', '--max-new-tokens-limit', '50', '--max-new-tokens', '40');
    expect(log).toMatch(/1 generation\(s\) at once, 32 may wait, prompts ≤ 64 tokens, max_new_tokens ≤ 50/);
  });

  it('versiflow chat --connect talks to it', async () => {
    await withServer(async (h) => {
      const input = new PassThrough();
      const c = captureIO();
      const done = chatCommand(['--connect', h.url], c.io, input);
      input.end('/max_tokens 5\nhi\n/quit\n');
      expect(await done).toBe(0);
      expect(c.out()).toMatch(/\(5 tokens, [\d.]+ tok\/s\)/);
    });
  });
});
