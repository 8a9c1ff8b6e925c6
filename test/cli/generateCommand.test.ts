import { beforeAll, describe, expect, it } from 'vitest';
import { generateCommand } from '../../src/cli/generateCommand.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt = '';
beforeAll(async () => {
  await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
});

const run = async (...flags: string[]) => {
  const c = captureIO();
  const code = await generateCommand(['--checkpoint', ckpt, '--backend', 'cpu', ...flags], c.io);
  return { code, out: c.out(), err: c.err() };
};

describe('versiflow generate', () => {
  it('streams prompt + continuation; a seed reproduces it; --no-cache gives the same text', async () => {
    const a = await run('--prompt', 'the ', '--max-new-tokens', '30', '--seed', '5', '--top-k', '0', '--temperature', '1');
    const b = await run('--prompt', 'the ', '--max-new-tokens', '30', '--seed', '5', '--top-k', '0', '--temperature', '1');
    const c = await run('--prompt', 'the ', '--max-new-tokens', '30', '--seed', '5', '--top-k', '0', '--temperature', '1', '--no-cache');
    expect(a.code).toBe(0);
    expect(a.out.startsWith('the ')).toBe(true);
    expect(a.out.length).toBeGreaterThan(5);
    expect(b.out).toBe(a.out);
    expect(c.out).toBe(a.out);
    expect(a.err).toMatch(/tokens in .* tok\/s/);
    expect(c.err).toMatch(/no cache/);
  });

  it('takes every sampling flag, --no-repeat-ngram with its value, and a watermark', async () => {
    const r = await run(
      '--prompt', 'ab', '--max-new-tokens', '20', '--top-p', '0.9', '--repetition-penalty', '1.3', '--no-repeat-ngram', '2',
      '--min-new-tokens', '3', '--stop', '\\n\\n', '--watermark', 'keyed', '--watermark-key', 'k',
    );
    expect(r.err).toMatch(/green \(keyed\)/);
    expect(r.code).toBe(0);
  });

  it('names a bad flag', async () => {
    expect((await run('--top-p', '2')).err).toMatch(/topP = 2 is invalid/);
    expect((await run('--watermark', 'keyed')).err).toMatch(/needs --watermark-key/);
    expect((await run('--topk', '2')).err).toMatch(/unknown flag --topk/);
  });
});
