import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from '../cli/checkpointFixture.ts';
import { smokeRun } from './recipeFixture.ts';

const exec = promisify(execFile);

describe('recipe minitron (smoke)', () => {
  it('chat tokenizer → pretrain → SFT → preference pairs → KTO → a chat executable whose sampled answer equals versiflow generate --chat', async () => {
    const r = await smokeRun('minitron');
    expect(r.outcomes.map((o) => o.stage)).toEqual(['tokenizer', 'pretrain', 'sft', 'preferences', 'kto', 'chat-executable']);
    expect(r.outcomes.every((o) => o.status === 'ran')).toBe(true);
    // the KTO model keeps Mini-Tron's shape, which has no Transformers class (export --format onnx refuses it)
    const kto = r.json(join('kto', 'checkpoints', 'step-0000004', 'state.json')) as { config: Record<string, unknown> };
    expect([kto.config.norm, kto.config.positions, kto.config.mlp, kto.config.gelu]).toEqual(['rms', 'learned', 'gelu', 'exact']);
    const exe = join(r.out, 'chat', 'minitron');
    expect(existsSync(exe)).toBe(true);
    accessSync(exe, constants.X_OK);
    // the executable's ONNX decoder against Versiflow's own forward: the same sampled tokens (same seed, same picker)
    const args = ['--prompt', 'hello', '--temperature', '1', '--seed', '3', '--max-new-tokens', '16'];
    const ran = await exec(exe, args, { env: { PATH: '/nonexistent', HOME: r.out } });
    expect(ran.stderr).toMatch(/\[16 tokens in [\d.]+ s/);
    const cap = captureIO();
    expect(await main(['generate', '--chat', '--checkpoint', join(r.out, 'kto'), ...args], cap.io), cap.err()).toBe(0);
    expect(ran.stdout).toBe(cap.out());
    expect(ran.stdout.trim().length).toBeGreaterThan(8);
  }, 120_000);
});
