import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatCommand } from '../../src/cli/chatCommand.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt = '';
beforeAll(async () => {
  await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
});

/** Runs a chat on a fake stdin fed with `lines`; returns what it printed. */
async function chat(lines: string[], ...flags: string[]): Promise<{ code: number; out: string; err: string }> {
  const input = new PassThrough();
  const c = captureIO();
  const done = chatCommand(['--backend', 'cpu', ...flags], c.io, input);
  input.end(lines.map((l) => `${l}\n`).join(''));
  const code = await done;
  return { code, out: c.out(), err: c.err() };
}

describe('versiflow chat --checkpoint', () => {
  it('streams answers with tokens/s, obeys slash commands, and quits', async () => {
    const r = await chat(['/max_tokens 7', '/seed 3', 'hello', '/temperature 0', 'again', '/top_k x', '/nope', '/help', '/quit', 'never sent'], '--checkpoint', ckpt);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(max_tokens = 7)');
    expect(r.out).toContain('(temperature = 0)');
    expect(r.out.match(/\(7 tokens, [\d.]+ tok\/s\)/g)?.length).toBe(2);
    expect(r.out).toContain('/top_k needs an integer ≥ 0 (0 = off); got "x"');
    expect(r.out).toContain('unknown command /nope');
    expect(r.out).toContain('/reset (forget the conversation)');
    expect(r.out.match(/tok\/s/g)?.length).toBe(2); // "never sent" came after /quit
  });

  it('a seed reproduces an answer; /reset clears the conversation', async () => {
    const answer = (out: string) => out.split('> ').filter((s) => s.includes('tok/s'));
    const a = await chat(['/seed 9', '/max_tokens 10', 'tell me'], '--checkpoint', ckpt);
    const b = await chat(['/seed 9', '/max_tokens 10', 'tell me', '/reset', 'tell me'], '--checkpoint', ckpt);
    const [first] = answer(a.out);
    const [b1, b2] = answer(b.out);
    const text = (s: string) => s.replace(/\(10 tokens, [\d.]+ tok\/s\)/, '');
    expect(text(b1)).toBe(text(first));
    expect(text(b2)).toBe(text(first)); // same prompt again after /reset, same seed
    expect(b.out).toContain('(conversation cleared)');
  });

  it('needs exactly one of --checkpoint and --connect', async () => {
    expect((await chat([])).err).toMatch(/give --checkpoint PATH/);
  });
});
