import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { webgpuAvailable } from '../model/kernels/webgpuHarness.ts';
import { captureIO } from './checkpointFixture.ts';

const gpu = await webgpuAvailable();

describe.skipIf(!gpu)('versiflow train on webgpu (end to end; lavapipe without a GPU)', () => {
  it('autotunes the tunable kernels at start, reports them in run/start, trains, evaluates and samples', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-train-gpu-'));
    const c = captureIO();
    const args = ['--max-docs', '200', '--context', '32', '--batch-size', '4', '--layers', '2', '--hidden', '64', '--eval-every', '10', '--eval-batches', '1', '--log-every', '1', '--sample-tokens', '20', '--checkpoint-every', '5', '--no-ws'];
    const code = await main(['train', '--config', 'tiny', '--backend', 'webgpu', '--max-steps', '10', '--out', out, ...args], c.io);
    expect(c.err()).toBe('');
    expect(code).toBe(0);
    expect(c.out()).toMatch(/backend webgpu \(/);
    // lavapipe has subgroups: flash attention is also timed at 2 and 4 lanes per row
    expect(c.out()).toMatch(/fused kernels: adamw, rmsnorm, .*; attention (fused|stock) \(fused [\d.]+ ms, stock [\d.]+ ms; lanes per row [124] \(1: [\d.]+ ms, 2: [\d.]+ ms, 4: [\d.]+ ms\)\); matmul (fused|stock)/);
    expect(c.out()).toMatch(/step 9\/10 .* tok\/s \| \d+ ms\/step \(host \d+ ms\)/);
    // the 10th logged step is timed on the GPU: the share of a step the GPU is busy
    expect(c.out()).toMatch(/step 10\/10 .* tok\/s \| \d+ ms\/step \(host \d+ ms, GPU busy \d+%\)/);
    expect(c.out()).toMatch(/sample at step 10:/);
    const events = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const start = events[0];
    expect(start.kernels.tuned.map((t: { kernel: string }) => t.kernel)).toEqual(['attention', 'matmul']);
    const steps = events.filter((e) => e.type === 'train/step');
    expect(steps.at(-1).gpuBytes).toBeGreaterThan(0);
    expect(steps.at(-1).gpuBusy).toBeGreaterThan(0);
    expect(steps.at(-1).gpuBusy).toBeLessThanOrEqual(1);
    expect(steps.filter((e) => e.gpuBusy !== undefined)).toHaveLength(1);
    expect(steps.at(-1).loss).toBeLessThan(steps[0].loss);
    expect(events.at(-1)).toMatchObject({ type: 'run/end', reason: 'completed', step: 10 });
    // the weights saved at step 10 are the ones trained after the step-5 checkpoint read them
    // (in-place fused AdamW updates: a stale CPU copy of a weight would be saved twice)
    const ck = (s: string) => readFileSync(join(out, 'checkpoints', s, 'model.safetensors'));
    expect(ck('step-0000010').equals(ck('step-0000005'))).toBe(false);
    const resumed = captureIO();
    expect(await main(['train', '--config', 'tiny', '--backend', 'webgpu', '--max-steps', '12', '--out', out, '--resume', 'latest', ...args], resumed.io)).toBe(0);
    expect(resumed.out()).toMatch(/resumed from .*step-0000010 at step 10/);
  });
});

describe.skipIf(!gpu)('matmul_tiles', () => {
  it('trains with other matmul tiles, and refuses impossible ones naming the setting', async () => {
    const out = mkdtempSync(join(tmpdir(), 'vf-tiles-'));
    const args = ['--max-docs', '100', '--context', '32', '--batch-size', '4', '--layers', '1', '--hidden', '64', '--eval-every', '3', '--eval-batches', '1', '--sample-tokens', '0', '--no-ws', '--out', out];
    const ok = captureIO();
    expect(await main(['train', '--config', 'tiny', '--backend', 'webgpu', '--max-steps', '3', '--kernels', 'fused', '--matmul-tiles', '64x64x16:4x4', ...args], ok.io)).toBe(0);
    const bad = captureIO();
    expect(await main(['train', '--config', 'tiny', '--backend', 'webgpu', '--max-steps', '3', '--matmul-tiles', '256x256x16:4x4', ...args], bad.io)).not.toBe(0);
    expect(bad.err()).toMatch(/^error \(ConfigError\): matmul_tiles: matmul tiles 256x256x16 4x4: 4096 invocations per workgroup/);
  });
});
