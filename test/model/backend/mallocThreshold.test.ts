import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/mallocThresholdChild.ts', import.meta.url));

interface ChildResult {
  readonly unavailable?: string;
  readonly faultsPerProduct: number;
  readonly value: number;
  readonly outputPages: number;
}

/** A fresh process each: glibc's thresholds are per process and only ever rise. */
async function run(mode: 'raise' | 'none'): Promise<ChildResult> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', child, mode], { timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult;
}

describe.runIf(process.platform === 'linux')('raiseMallocThresholds (glibc)', () => {
  it('stops the native products from faulting in fresh pages for every output copy', async () => {
    const [none, raised] = [await run('none'), await run('raise')];
    if (none.unavailable) return expect(none.unavailable).toMatch(/onnxruntime-node/); // an install without the optional package
    expect(none.value).toBe(384 * 0.5 * 0.25); // the product is right either way
    expect(raised.value).toBe(none.value);
    // without: onnxruntime-node's binding copies each 12 MB output into a fresh ArrayBuffer, and each
    // collection trims the freed heap, so the next copies fault their pages in again (1,532–3,066 a
    // product of 3,072 pages in 6 runs; raised: 0–1)
    expect(none.faultsPerProduct).toBeGreaterThan(0.25 * none.outputPages);
    expect(raised.faultsPerProduct).toBeLessThan(0.1 * none.outputPages);
  });
});
