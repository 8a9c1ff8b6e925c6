import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';

const SMALL = ['--config', 'tiny', '--max-docs', '300', '--context', '16', '--batch-size', '4', '--layers', '1', '--hidden', '32', '--heads', '2', '--kv-heads', '1', '--eval-every', '0', '--sample-tokens', '0', '--log-every', '5', '--backend', 'wasm', '--no-ws', '--reporter', 'plain'];

const csvSteps = (p: string) => readFileSync(p, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[0]));
const jsonl = (p: string) => readFileSync(p, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; step: number; loss?: number; message?: string });

describe('resuming cuts history.csv and metrics.jsonl back to the checkpoint', () => {
  it('a run that logged steps past its last checkpoint (as a killed one does), resumed: one trajectory per file, the abandoned lines in side files', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-resume-logs-'));
    const first = captureIO();
    expect(await main(['train', ...SMALL, '--max-steps', '30', '--checkpoint-every', '20', '--out', out], first.io), first.err()).toBe(0);
    // the kill: step 30's checkpoint never made it, while its log lines did
    rmSync(join(out, 'checkpoints', 'step-0000030'), { recursive: true });
    const abandoned = jsonl(join(out, 'metrics.jsonl')).filter((e) => e.type === 'train/step' && e.step > 20);

    const second = captureIO();
    expect(await main(['train', ...SMALL, '--max-steps', '40', '--checkpoint-every', '20', '--out', out, '--resume', 'latest'], second.io), second.err()).toBe(0);
    expect(second.out()).toMatch(/resumed from .*step-0000020 at step 20/);
    expect(second.out()).toMatch(/warning: resumed at step 20: moved 2 lines of history\.csv to history\.abandoned-\d{8}T\d{6}Z\.csv and \d+ lines of metrics\.jsonl to metrics\.abandoned-\d{8}T\d{6}Z\.jsonl/);

    expect(csvSteps(join(out, 'history.csv'))).toEqual([1, 5, 10, 15, 20, 21, 25, 30, 35, 40]);
    const events = jsonl(join(out, 'metrics.jsonl'));
    const steps = events.map((e) => e.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b)); // one trajectory: steps never go back
    expect(events.filter((e) => e.type === 'run/start').map((e) => e.step)).toEqual([0, 20]);
    expect(events.find((e) => e.type === 'warning' && e.message?.startsWith('resumed at step 20: moved'))).toBeDefined();

    const side = readdirSync(out).filter((f) => f.includes('.abandoned-')).sort();
    expect(side).toHaveLength(2);
    expect(csvSteps(join(out, side[0]))).toEqual([25, 30]);
    const moved = jsonl(join(out, side[1]));
    expect(moved.every((e) => e.step > 20)).toBe(true);
    expect(moved.filter((e) => e.type === 'train/step')).toEqual(abandoned);
    // the resumed run retraced the abandoned steps exactly (batches are a function of seed and step)
    const again = new Map(events.filter((e) => e.type === 'train/step').map((e) => [e.step, e.loss]));
    for (const e of abandoned) expect(again.get(e.step)).toBe(e.loss);
  }, 60_000);
});
