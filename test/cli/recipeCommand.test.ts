import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';

describe('versiflow recipe', () => {
  it('--list names the runnable recipes, one line each', async () => {
    const cap = captureIO();
    expect(await main(['recipe', '--list'], cap.io)).toBe(0);
    const names = cap.out().trim().split('\n').map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['1gpu-llm', 'minitron', 'nanogpt-chekhov', 'poetru', 'ru-classics-46m', 'smollm2-shakespeare', 'tiny-poetic-llm']);
  });

  it('--scale full --dry-run prints the plan and runs nothing', async () => {
    const cap = captureIO();
    const out = join(mkdtempSync(join(tmpdir(), 'recipe-cli-')), 'x');
    expect(await main(['recipe', 'nanogpt-chekhov', '--scale', 'full', '--dry-run', '--out', out], cap.io), cap.err()).toBe(0);
    expect(cap.out()).toMatch(/char-10m: 10\.8M parameters, 5,000 steps × 16,384 tokens = 81\.9M tokens/);
    expect(cap.out()).toMatch(/expected on one NVIDIA H200/);
    expect(cap.out()).not.toMatch(/\[nanogpt-chekhov 1\/5\]/);
  });

  it('refuses a bad scale and an unknown recipe, saying why', async () => {
    const a = captureIO();
    expect(await main(['recipe', 'poetru', '--scale', 'huge'], a.io)).toBe(2);
    expect(a.err()).toContain('--scale is smoke or full, not "huge"');
    const b = captureIO();
    expect(await main(['recipe', 'gpt5'], b.io)).toBe(2);
    expect(b.err()).toMatch(/recipe "gpt5" not found .*known: 1gpu-llm, minitron, nanogpt-chekhov/);
  });
});
