import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const child = fileURLToPath(new URL('./fixtures/wasmUnhandledChild.ts', import.meta.url));

describe('the wasm backend and process error handlers', () => {
  it("leaves an unhandled rejection to Node: its message, exit 1, not Emscripten's rethrow of its whole source", async () => {
    const r = await promisify(execFile)(process.execPath, ['--import', 'tsx', child], { timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Error: boom after wasm');
    expect(r.stderr).not.toContain('var Module=');
    expect(r.stderr.length).toBeLessThan(4000);
  });
});
