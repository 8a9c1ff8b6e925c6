import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trainCommand } from '../../src/cli/trainCommand.ts';
import { devEntry } from '../../bench/crashHarness.ts';

/** A narrow model on 300 poems, a step every log, no evaluation or samples: many fast steps. */
const FAST = ['--config', 'tiny', '--max-docs', '300', '--context', '32', '--batch-size', '8', '--layers', '2', '--hidden', '64', '--eval-every', '0', '--sample-tokens', '0', '--log-every', '1', '--backend', 'wasm', '--no-ws', '--reporter', 'plain', '--max-steps', '100000'];

/** An io whose stdout calls `onStep(n)` for each `step n/…` line the plain reporter prints. */
function stepIO(onStep: (n: number) => void) {
  let out = '';
  let err = '';
  const io = {
    stdout: {
      write: (s: string) => {
        out += s;
        const m = /^step (\d+)\//m.exec(s);
        if (m) onStep(Number(m[1]));
        return true;
      },
    },
    stderr: { write: (s: string) => ((err += s), true) },
  };
  return { io, out: () => out, err: () => err };
}

const events = (dir: string) => readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; reason?: string });

describe('train stops cleanly on SIGINT, SIGTERM and SIGHUP', () => {
  it.each(['SIGTERM', 'SIGHUP'] as const)('%s (an injected emitter): finishes the step, writes a checkpoint, returns 0 naming the signal', async (sig) => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-signal-'));
    const signals = new EventEmitter();
    const exits: number[] = [];
    const c = stepIO((n) => n === 2 && signals.emit(sig));
    const code = await trainCommand([...FAST, '--out', dir], c.io, signals, (n) => exits.push(n));
    expect(code).toBe(0);
    expect(exits).toEqual([]);
    expect(c.err()).toMatch(new RegExp(`^\\n${sig}: stopping after this step \\(writing a checkpoint\\)`));
    const end = events(dir).at(-1)!;
    expect(end).toMatchObject({ type: 'run/end', reason: 'stopped' });
    expect(end.step).toBeLessThanOrEqual(3);
    const ckpt = join(dir, 'checkpoints', `step-${String(end.step).padStart(7, '0')}`);
    expect(existsSync(join(ckpt, 'state.json'))).toBe(true);
    expect(c.err()).toContain(`stopped on ${sig} at step ${end.step}; checkpoint ${ckpt}\n`);
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) expect(signals.listenerCount(s)).toBe(0);
  });

  it('a second signal of any of the three exits at once with 128 + its number', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-signal2-'));
    const signals = new EventEmitter();
    const exits: number[] = [];
    const c = stepIO((n) => {
      if (n !== 2) return;
      signals.emit('SIGHUP');
      signals.emit('SIGTERM');
    });
    // the injected exit returns, so the run goes on to its clean stop
    expect(await trainCommand([...FAST, '--out', dir], c.io, signals, (n) => exits.push(n))).toBe(0);
    expect(exits).toEqual([143]);
    expect(c.err()).toContain('SIGTERM: stopping at once; the last complete checkpoint is kept\n');
  });

  it('a real SIGTERM to `npm start`\'s process: exit 0 and a checkpoint (it used to die with 143 and none)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vf-sigterm-'));
    const [cmd, ...args] = devEntry();
    const child = spawn(cmd, [...args, ...FAST, '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        out += d;
        if (/^step 2\//m.test(out)) resolve();
      });
      void exited.then(() => reject(new Error(`exited before step 2: ${err}`)));
    });
    child.kill('SIGTERM');
    expect(await exited, err).toEqual({ code: 0, signal: null });
    expect(err).toMatch(/SIGTERM: stopping after this step/);
    expect(err).toMatch(/stopped on SIGTERM at step \d+; checkpoint /);
    const ckpts = readdirSync(join(dir, 'checkpoints')).filter((n) => n.startsWith('step-'));
    expect(ckpts).toHaveLength(1);
    expect(existsSync(join(dir, 'checkpoints', ckpts[0], 'state.json'))).toBe(true);
    expect(events(dir).at(-1)).toMatchObject({ type: 'run/end', reason: 'stopped' });
  }, 60_000);
});
