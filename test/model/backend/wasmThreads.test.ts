import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/threadedWasmChild.ts', import.meta.url));

/** Runs the fixture in a fresh Node (the wasm module is per process); fails if it does not exit. */
async function run(threads: number): Promise<{ device: string; threads: number; sum: number; grad: number[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, String(threads)], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!);
}

describe('threaded wasm backend in Node', () => {
  it('starts 2 XNNPACK threads, matches the 1-thread results, and lets the process exit', async () => {
    const one = await run(1);
    const two = await run(2);
    expect(one.threads).toBe(1);
    expect(one.device).toContain('wasm simd');
    expect(two.threads).toBe(2);
    expect(two.device).toContain('threaded-simd');
    expect(two.sum).toBeCloseTo(one.sum, 2);
    two.grad.forEach((g, i) => expect(g).toBeCloseTo(one.grad[i], 3));
  });
});
