import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { exportHf } from '../../src/pipeline/export/exportHf.ts';
import { writeModelCheckpoint } from '../pipeline/export/modelFixture.ts';
import { captureIO } from './checkpointFixture.ts';

const tmp = (n: string) => join(mkdtempSync(join(tmpdir(), 'vf-import-cli-')), n);
const DATA = new URL('../fixtures/poems-sample.jsonl', import.meta.url).pathname;

describe('versiflow import', () => {
  it('imports an exported folder; generate, eval perplexity and train (fine-tuning from config.yaml) use the result', async () => {
    const { path } = await writeModelCheckpoint({ context: 32 }, { std: 0.3 });
    const hf = tmp('hf');
    await exportHf({ checkpoint: path, out: hf });
    const out = tmp('run');
    const c = captureIO();
    expect(await main(['import', '--from', hf, '--out', out], c.io)).toBe(0);
    expect(c.err()).toBe('');
    expect(c.out()).toMatch(/^imported .* \(hf-llama, [\d,]+ parameters\) to .*checkpoints\/step-0000000\n/);
    expect(c.out()).toContain(`fine-tune: versiflow train --config ${join(out, 'config.yaml')} --data CORPUS`);

    const g = captureIO();
    expect(await main(['generate', '--checkpoint', out, '--prompt', 'ab', '--max-new-tokens', '10', '--seed', '3', '--backend', 'cpu'], g.io)).toBe(0);
    expect(g.out().length).toBeGreaterThan(2);

    const e = captureIO();
    expect(await main(['eval', 'perplexity', '--checkpoint', out, '--data', DATA, '--max-docs', '5', '--backend', 'cpu', '--json'], e.io)).toBe(0);
    expect(JSON.parse(e.out()).loss).toBeGreaterThan(0);

    const t = captureIO();
    const code = await main(['train', '--config', join(out, 'config.yaml'), '--data', DATA, '--max-docs', '40', '--max-steps', '3', '--batch-size', '2', '--eval-every', '0', '--eval-batches', '1', '--sample-tokens', '0', '--log-every', '1', '--backend', 'cpu', '--no-ws', '--reporter', 'plain', '--no-token-cache'], t.io);
    expect(t.err()).toBe('');
    expect(code).toBe(0);
    expect(t.out()).toMatch(/resumed from .*step-0000000 at step 0/);
    expect(readFileSync(join(out, 'checkpoints', 'step-0000003', 'state.json'), 'utf8')).toMatch(/"step": 3/);
  });

  it('a nanoGPT ckpt.pt prints its warnings on stderr; bad input is one clear line with exit 2', async () => {
    const a = captureIO();
    expect(await main(['import', '--from', new URL('../fixtures/torch/nanogpt/ckpt.pt', import.meta.url).pathname, '--out', tmp('nano')], a.io)).toBe(0);
    // nanoGPT's exact GELU imports as gelu: exact, so the only warning left is the tokenizer's id shift
    expect(a.err()).toMatch(/^warning: Versiflow's char tokenizer has \[PAD\], \[EOS\], \[UNK\] at ids 0\.\.2/m);
    expect(a.err()).not.toMatch(/GELU/);
    expect(a.out()).toMatch(/\(nanogpt, [\d,]+ parameters\)/);
    const b = captureIO();
    expect(await main(['import', '--from', new URL('../fixtures/torch/evil.pt', import.meta.url).pathname, '--out', tmp('x'), '--tokenizer', new URL('../fixtures/torch/nanogpt/meta.pkl', import.meta.url).pathname], b.io)).toBe(2);
    expect(b.err()).toMatch(/^error \(CheckpointError\): .*evil\.pt.*"posix\.system"/);
    const c = captureIO();
    expect(await main(['import', '--from', '/no/such/thing', '--out', tmp('x')], c.io)).toBe(2);
    expect(c.err()).toMatch(/--from \/no\/such\/thing does not exist/);
  });
});
