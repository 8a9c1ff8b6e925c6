import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';

/** Small enough for CI: the shipped corpus, a narrow model, few steps. */
const SMALL = ['--max-docs', '300', '--context', '32', '--batch-size', '8', '--layers', '2', '--hidden', '64', '--eval-every', '25', '--eval-batches', '2', '--log-every', '5', '--sample-tokens', '40', '--backend', 'wasm', '--no-ws'];

const rows = (csv: string) =>
  csv
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(','));

describe('versiflow train (end to end on the shipped corpus)', () => {
  const out = mkdtempSync(join(tmpdir(), 'vf-train-'));

  it('trains 50 steps: history.csv with falling loss, metrics.jsonl, a checkpoint, a sample', async () => {
    const c = captureIO();
    const code = await main(['train', '--config', 'tiny', '--max-steps', '50', '--out', out, ...SMALL], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/run tiny: [\d,]+ parameters, vocab \d+, backend wasm/);
    expect(c.out()).toMatch(/step 50\/50 .* tok\/s .* ETA/);
    expect(c.out()).toMatch(/sample at step 50:/);
    const hist = readFileSync(join(out, 'history.csv'), 'utf8');
    expect(hist.split('\n')[0]).toBe('step,epoch,loss,val_loss,lr,tokens_per_sec,elapsed_s,watermark_auc,watermark_f1');
    const r = rows(hist);
    expect(r.map((x) => Number(x[0]))).toEqual([1, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50]);
    const loss = r.map((x) => Number(x[2]));
    expect(loss[0]).toBeGreaterThan(4); // ≈ ln(vocab) untrained
    expect(loss[loss.length - 1]).toBeLessThan(loss[0] - 1);
    expect(Number(r[r.length - 1][3])).toBeGreaterThan(0); // val loss at the end
    const ck = join(out, 'checkpoints', 'step-0000050');
    for (const f of ['model.safetensors', 'optimizer.safetensors', 'state.json', 'tokenizer.json']) expect(existsSync(join(ck, f))).toBe(true);
    const state = JSON.parse(readFileSync(join(ck, 'state.json'), 'utf8'));
    expect(state).toMatchObject({ step: 50, config: { context: 32, hidden: 64, max_steps: 50 } });
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('run/start');
    expect(events[events.length - 1]).toMatchObject({ type: 'run/end', reason: 'completed', step: 50 });
    for (const e of events) expect(typeof e.time).toBe('number');
  });

  it('--resume latest continues at step 51 with the same history file', async () => {
    const c = captureIO();
    const code = await main(['train', '--config', 'tiny', '--max-steps', '60', '--out', out, '--resume', 'latest', ...SMALL], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/resumed from .*step-0000050 at step 50/);
    const steps = rows(readFileSync(join(out, 'history.csv'), 'utf8')).map((x) => Number(x[0]));
    expect(steps.slice(-3)).toEqual([51, 55, 60]);
    expect(existsSync(join(out, 'checkpoints', 'step-0000060', 'state.json'))).toBe(true);
  });

  it('generate continues a prompt from the checkpoint, reproducibly for a seed', async () => {
    const a = captureIO();
    const b = captureIO();
    const args = ['generate', '--checkpoint', out, '--prompt', 'Я помню', '--max-new-tokens', '30', '--seed', '5', '--backend', 'wasm'];
    expect(await main(args, a.io)).toBe(0);
    expect(await main(args, b.io)).toBe(0);
    expect(a.out().startsWith('Я помню')).toBe(true);
    expect(a.out().length).toBeGreaterThan('Я помню'.length);
    expect(a.out()).toBe(b.out());
  });

  it('refuses unknown keys and bad values, naming them', async () => {
    const c = captureIO();
    expect(await main(['train', '--max-stepz', '5'], c.io)).toBe(2);
    expect(c.err()).toMatch(/unknown key "max-stepz" \(did you mean "max_steps"\?\)/);
    const d = captureIO();
    expect(await main(['train', '--batch-size', 'x'], d.io)).toBe(2);
    expect(d.err()).toMatch(/batch_size must be a number/);
  });

  it('refuses a damaged checkpoint without touching it', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'vf-bad-'));
    const dir = join(bad, 'checkpoints', 'step-0000001');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'state.json'), '{ not json');
    const c = captureIO();
    expect(await main(['train', '--out', bad, '--resume', 'latest', ...SMALL], c.io)).toBe(2);
    expect(c.err()).toMatch(/state\.json: not valid JSON/);
    expect(readFileSync(join(dir, 'state.json'), 'utf8')).toBe('{ not json');
  });

  it('a diverging run exits 2 with one clear error, its record kept, nothing rethrown (wasm, the default CPU backend)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-diverge-'));
    // step 1 blows the weights up; the guard skips steps 2–6 (max_bad_steps 5) and stops at step 6
    const args = ['bin/versiflow-dev.mjs', 'train', '--config', 'tiny', '--lr', '1e12', '--max-steps', '8', '--log-every', '1', '--reporter', 'plain', '--out', dir, ...SMALL];
    const r = await promisify(execFile)(process.execPath, args).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toMatch(/^error \(DivergenceError\): training loss is NaN at step \d+ \(lr [^)]+\): lower lr/);
    expect(r.stderr.match(/DivergenceError/g)).toHaveLength(1); // no second, unhandled copy (RxJS or Emscripten rethrowing it)
    const events = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ type: 'run/end', reason: 'error' });
  });

  it('the bin entry runs (npm start path)', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/versiflow-dev.mjs', '--help']);
    expect(stdout).toMatch(/versiflow train/);
  });
});
