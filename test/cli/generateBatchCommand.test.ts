import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { parseGenJsonl } from '../../src/eval/genRecords.ts';
import { setupBackend } from '../../src/model/backend/setupBackend.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let ckpt = '';
const dir = mkdtempSync(join(tmpdir(), 'vf-genbatch-'));
beforeAll(async () => {
  await setupBackend('cpu');
  ckpt = await writeTestCheckpoint();
  writeFileSync(join(dir, 'prompts.jsonl'), '{"prompt": "the "}\n{"prompt": ""}\nab\n');
});

const cli = async (...args: string[]) => {
  const c = captureIO();
  const code = await main(args, c.io);
  return { code, out: c.out(), err: c.err() };
};

describe('versiflow generate, batch mode', () => {
  it('--prompts FILE cycled to --n, seed + i per generation, stop strings end rows with finish "stop"', async () => {
    const out = join(dir, 'gen.jsonl');
    const r = await cli('generate', '--checkpoint', ckpt, '--prompts', join(dir, 'prompts.jsonl'), '--n', '7', '--max-new-tokens', '30', '--stop', 'e', '--temperature', '1', '--top-k', '0', '--out', out, '--backend', 'cpu');
    expect(r.err).toMatch(/^\[7 generations, /);
    expect(r.code).toBe(0);
    const recs = parseGenJsonl(readFileSync(out, 'utf8'));
    expect(recs.map((x) => x.prompt)).toEqual(['the ', '', 'ab', 'the ', '', 'ab', 'the ']);
    for (const x of recs) {
      expect(x.text).not.toContain('e');
      expect(['stop', 'length', 'eos']).toContain(x.finish);
    }
    expect(recs.some((x) => x.finish === 'stop')).toBe(true);
    expect(recs[0].text).not.toBe(recs[3].text); // same prompt, seeds 1337 and 1340
  });

  it('without batch flags generate streams one continuation as before; batch mode needs --out and the cache', async () => {
    const one = await cli('generate', '--checkpoint', ckpt, '--prompt', 'the ', '--max-new-tokens', '10', '--backend', 'cpu');
    expect(one.code).toBe(0);
    expect(one.out.startsWith('the ')).toBe(true);
    expect((await cli('generate', '--checkpoint', ckpt, '--prompts', join(dir, 'prompts.jsonl'))).err).toMatch(/needs --out gen\.jsonl/);
    expect((await cli('generate', '--checkpoint', ckpt, '--prompts', join(dir, 'prompts.jsonl'), '--out', join(dir, 'x.jsonl'), '--no-cache')).err).toMatch(/drop --no-cache/);
    expect((await cli('generate', '--checkpoint', ckpt, '--n', '2', '--out', join(dir, 'x.jsonl'), '--backend', 'cpu')).err).toMatch(/give one of --prompts FILE or --prompts-from val/);
    expect((await cli('generate', '--checkpoint', ckpt, '--prompts-from', 'train', '--out', join(dir, 'x.jsonl'), '--backend', 'cpu')).err).toMatch(/--prompts-from takes "val"/);
  });
});
