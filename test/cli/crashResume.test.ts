/**
 * A run killed with SIGKILL loses nothing: killed while it writes its token cache, then killed while
 * it writes a checkpoint, then resumed with `--resume latest`, its run directory holds the same losses
 * (to the bit, wasm) as an uninterrupted run of the same seed, as one trajectory. Two kills here; many,
 * at seeded random moments, in `npm run bench -- crash`.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { captureIO } from './checkpointFixture.ts';
import { continueArgs, crashArgs, hasCheckpoint, lossDifferences, runTraining, trajectory } from '../../bench/crashHarness.ts';

const CFG = { steps: 24, checkpointEvery: 5, seed: 7 };

describe('kill -9 and resume (crash harness)', () => {
  it('killed during the token-cache write and during a checkpoint write, the resumed run logs the uninterrupted losses bit for bit', async () => {
    const root = mkdtempSync(join(tmpdir(), 'vf-crash-'));
    const ref = { out: join(root, 'ref'), cacheDir: join(root, 'ref-cache') };
    // the reference runs in this process (one child process fewer): the same code on the same backend
    const c = captureIO();
    expect(await main(['train', ...crashArgs(CFG, ref.out, ref.cacheDir)], c.io), c.err()).toBe(0);
    const want = trajectory(ref.out);
    expect(want.size).toBe(CFG.steps);

    const run = { out: join(root, 'crash'), cacheDir: join(root, 'crash-cache') };
    const args = crashArgs(CFG, run.out, run.cacheDir);
    // 1: a fresh cache_dir, killed as soon as the token cache's temporary directory appears
    const k1 = await runTraining(args, { ...run, kill: { at: 'token-cache-write' } });
    expect(k1.signal, k1.stderr).toBe('SIGKILL');
    expect(hasCheckpoint(run.out)).toBe(false);
    // 2: started over (nothing to resume), killed as its step-10 checkpoint is being written
    const k2 = await runTraining(continueArgs(args, run.out), { ...run, kill: { at: 'checkpoint-write', step: 10 } });
    expect(k2.signal, k2.stderr).toBe('SIGKILL');
    expect(hasCheckpoint(run.out)).toBe(true);
    // 3: resumed from the newest good checkpoint (step 5, or 10 when its rename got in before the kill)
    const r3 = await runTraining(continueArgs(args, run.out), run);
    expect(r3.code, r3.stderr).toBe(0);
    expect(r3.stdout).toMatch(/resumed from .*step-00000(05|10) at step (5|10)/);
    expect(lossDifferences(trajectory(run.out), want)).toEqual([]);
    console.log(`crash harness: token-cache kill ${k1.killed}; checkpoint kill ${k2.killed}`);
  }, 120_000);
});
