import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/cli/evalCommand.ts';
import { captureIO, writeTestCheckpoint } from './checkpointFixture.ts';

let checkpoint: string;
beforeAll(async () => {
  checkpoint = await writeTestCheckpoint();
});

describe('versiflow eval perplexity', () => {
  it('scores a text file with the checkpoint tokenizer: perplexity = exp(loss), every token counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-eval-'));
    const file = join(dir, 'poem.txt');
    writeFileSync(file, 'abc '.repeat(200));
    const c = captureIO();
    expect(await evalCommand(['perplexity', '--checkpoint', checkpoint, '--data', file, '--backend', 'cpu', '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out());
    expect(r.split).toBe('all');
    expect(r.perplexity).toBeCloseTo(Math.exp(r.loss), 6);
    expect(r.loss).toBeGreaterThan(0);
    // 800 chars + EOS packed into 64-token windows with stride 64: 12 windows of 64 scored tokens
    expect(r.examples).toBe(12);
    expect(r.tokens).toBe(12 * 64);
  });

  it('defaults to the run corpus validation split and prints a readable line', async () => {
    const c = captureIO();
    expect(await evalCommand(['perplexity', '--checkpoint', checkpoint, '--max-docs', '200', '--backend', 'cpu'], c.io)).toBe(0);
    expect(c.out()).toMatch(/^perplexity \d+\.\d{3} \(loss \d+\.\d{4} nats\/token over \d+ tokens, \d+ examples of the validation split of data\/ru_poetry\.parquet\) at step 0\n$/);
  });

  it('refuses unknown flags and a missing checkpoint with clear errors', async () => {
    const a = captureIO();
    expect(await evalCommand(['perplexity', '--checkpoint', checkpoint, '--nope', '1'], a.io)).toBe(2);
    expect(a.err()).toMatch(/unknown flag --nope/);
    const b = captureIO();
    expect(await evalCommand(['perplexity', '--checkpoint', '/no/such/dir'], b.io)).toBe(2);
    expect(b.err()).toMatch(/does not exist/);
    const d = captureIO();
    expect(await evalCommand(['bleu'], d.io)).toBe(2);
    expect(d.err()).toMatch(/expected "perplexity"/);
  });
});
