import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { chatCommand } from '../../src/cli/chatCommand.ts';
import { withRecommendedDecoding } from '../../src/cli/recommendedDefaults.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { readRecommendedDecoding, recommendedDecodingPath } from '../../src/pipeline/recommendedDecoding.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt = '';
let run = '';
const GREEDY = { temperature: 0, top_k: 5, top_p: 0.9, repetition_penalty: 1.3, no_repeat_ngram_size: 2 };
beforeAll(async () => {
  await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
  run = dirname(dirname(ckpt));
});

async function chat(lines: string[], ...flags: string[]): Promise<{ out: string; err: string }> {
  const input = new PassThrough();
  const c = captureIO();
  const done = chatCommand(['--backend', 'cpu', ...flags], c.io, input);
  input.end(lines.map((l) => `${l}\n`).join(''));
  expect(await done).toBe(0);
  return { out: c.out(), err: c.err() };
}
const answer = (out: string) => out.split('> ').filter((s) => s.includes('tok/s')).map((s) => s.replace(/\(\d+ tokens, [\d.]+ tok\/s\)/, ''));

describe('recommended_decoding.json as the decoding defaults', () => {
  it('is found beside the checkpoint before the run directory; explicit flags win; the file is named on stderr', () => {
    expect(recommendedDecodingPath(ckpt)).toBeNull();
    writeFileSync(join(run, 'recommended_decoding.json'), JSON.stringify({ ...GREEDY, name: 'x' }));
    expect(recommendedDecodingPath(ckpt)).toBe(join(run, 'recommended_decoding.json'));
    expect(recommendedDecodingPath(run)).toBe(join(run, 'recommended_decoding.json'));
    const c = captureIO();
    expect(withRecommendedDecoding({ checkpoint: ckpt, 'top-k': '7' }, ckpt, c.io)).toEqual({ checkpoint: ckpt, temperature: '0', 'top-k': '7', 'top-p': '0.9', 'repetition-penalty': '1.3', 'no-repeat-ngram': '2' });
    expect(c.err()).toBe(`decoding defaults from ${join(run, 'recommended_decoding.json')}: --temperature 0 --top-p 0.9 --repetition-penalty 1.3 --no-repeat-ngram 2\n`);
    const beside = join(ckpt, 'recommended_decoding.json');
    writeFileSync(beside, JSON.stringify({ ...GREEDY, top_k: 'many' }));
    expect(recommendedDecodingPath(ckpt)).toBe(beside);
    expect(() => readRecommendedDecoding(beside)).toThrow(/"top_k" must be a number \(got "many"\)/);
    writeFileSync(beside, JSON.stringify(GREEDY));
  });

  it('chat --checkpoint uses it: greedy from the file, so two seeds give the same answer; --temperature overrides', async () => {
    mkdirSync(run, { recursive: true });
    writeFileSync(join(ckpt, 'recommended_decoding.json'), JSON.stringify(GREEDY));
    const a = await chat(['/max_tokens 12', 'hello'], '--checkpoint', ckpt, '--seed', '1');
    const b = await chat(['/max_tokens 12', 'hello'], '--checkpoint', ckpt, '--seed', '2');
    expect(a.err).toContain(`decoding defaults from ${join(ckpt, 'recommended_decoding.json')}: --temperature 0 --top-k 5`);
    expect(answer(a.out)).toEqual(answer(b.out));
    const c = await chat(['/max_tokens 12', 'hello'], '--checkpoint', ckpt, '--seed', '1', '--temperature', '1.5');
    const d = await chat(['/max_tokens 12', 'hello'], '--checkpoint', ckpt, '--seed', '2', '--temperature', '1.5');
    expect(c.err).not.toContain('--temperature');
    expect(answer(c.out)).not.toEqual(answer(d.out));
  });
});
