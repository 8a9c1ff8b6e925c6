import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointError } from '../../../src/core/errors/CheckpointError.ts';
import { type CheckpointFiles, listCheckpoints, loadCheckpoint, openCheckpoint, saveCheckpoint } from '../../../src/streams/checkpoints/checkpointStore.ts';
import { checkpointsToDelete } from '../../../src/streams/checkpoints/checkpointPrune.ts';

/** A small checkpoint: a 4 KiB weight so a flipped byte lands inside tensor data. */
const files = (step: number, valLoss: number | null = null, size = 1024): CheckpointFiles => ({
  model: [{ name: 'w', shape: [size], data: Float32Array.from({ length: size }, (_, i) => Math.sin(i + step)) }],
  optimizer: [{ name: 'w.m', shape: [2], data: new Float32Array([step, 1]) }],
  tokenizer: { type: 'char', chars: ['a', 'b'] },
  state: {
    format: 'versiflow-checkpoint', step, epoch: 0, config: {}, data: { seed: 1, step, trainExamples: 10 }, optimizerStep: step,
    bestValLoss: valLoss, valLoss, tokenizerHash: 'h', params: size, savedAt: new Date(0).toISOString(),
  },
});
const runDir = () => mkdtempSync(join(tmpdir(), 'vf-ckpt-'));

describe('checkpoint files and checksums', () => {
  it('lists every other file with its size and SHA-256 in state.json, and loads what it wrote', async () => {
    const run = runDir();
    const { path } = await saveCheckpoint(run, files(10));
    const state = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8'));
    expect(state.version).toBe(2);
    expect(Object.keys(state.files).sort()).toEqual(['model.safetensors', 'optimizer.safetensors', 'tokenizer.json']);
    expect(state.files['model.safetensors'].bytes).toBe(readFileSync(join(path, 'model.safetensors')).length);
    expect(state.files['model.safetensors'].sha256).toMatch(/^[0-9a-f]{64}$/);
    const ck = await loadCheckpoint(path);
    expect(Array.from(ck.model.get('w')!.data as Float32Array).slice(0, 2)).toEqual([Math.fround(Math.sin(10)), Math.fround(Math.sin(11))]);
    expect(readdirSync(join(run, 'checkpoints'))).toEqual(['step-0000010']); // no temporary directory left
  });

  it('refuses a checkpoint whose weights had two bytes flipped, naming the file', async () => {
    const { path } = await saveCheckpoint(runDir(), files(10));
    const f = join(path, 'model.safetensors');
    const bytes = readFileSync(f);
    const mid = bytes.length >> 1;
    bytes[mid] ^= 0xff;
    bytes[mid + 1] ^= 0x0f;
    writeFileSync(f, bytes);
    await expect(loadCheckpoint(path)).rejects.toThrow(/model\.safetensors SHA-256 .* differs from state\.json.*corrupt/);
  });

  it('refuses a truncated file and a missing one', async () => {
    const { path } = await saveCheckpoint(runDir(), files(10));
    writeFileSync(join(path, 'optimizer.safetensors'), readFileSync(join(path, 'optimizer.safetensors')).subarray(0, 20));
    await expect(loadCheckpoint(path)).rejects.toThrow(/optimizer\.safetensors has 20 bytes, state\.json lists \d+ \(truncated/);
    rmSync(join(path, 'tokenizer.json'));
    await expect(loadCheckpoint(path)).rejects.toThrow(CheckpointError);
  });

  it('still reads a version-1 checkpoint (no file list) without verification', async () => {
    const { path } = await saveCheckpoint(runDir(), files(3));
    const state = JSON.parse(readFileSync(join(path, 'state.json'), 'utf8'));
    delete state.files;
    state.version = 1;
    writeFileSync(join(path, 'state.json'), JSON.stringify(state));
    expect((await loadCheckpoint(path)).state.step).toBe(3);
  });
});

describe('latest: the newest good checkpoint', () => {
  it('skips a corrupt or incomplete newest checkpoint with the reason and takes the previous good one', async () => {
    const run = runDir();
    await saveCheckpoint(run, files(100));
    await saveCheckpoint(run, files(200));
    const { path: newest } = await saveCheckpoint(run, files(300));
    writeFileSync(join(newest, 'model.safetensors'), readFileSync(join(newest, 'model.safetensors')).subarray(0, 100)); // truncated
    rmSync(join(run, 'checkpoints', 'step-0000200', 'state.json')); // incomplete
    mkdirSync(join(run, 'checkpoints', '.step-0000400.tmp-123')); // a crash during a write
    const got = await openCheckpoint('latest', run);
    expect(got.dir).toBe(join(run, 'checkpoints', 'step-0000100'));
    expect(got.checkpoint.state.step).toBe(100);
    expect(got.skipped.map((s) => s.dir)).toEqual([newest, join(run, 'checkpoints', 'step-0000200')]);
    expect(got.skipped[0].reason).toMatch(/truncated/);
    expect(got.skipped[1].reason).toMatch(/state\.json is missing/);
    // a run directory means the same; a checkpoint named explicitly must itself be good
    expect((await openCheckpoint(run, run)).dir).toBe(got.dir);
    await expect(openCheckpoint(newest, run)).rejects.toThrow(/truncated/);
  });

  it('says so when no checkpoint is usable', async () => {
    const run = runDir();
    const { path } = await saveCheckpoint(run, files(1));
    rmSync(join(path, 'model.safetensors'));
    await expect(openCheckpoint('latest', run)).rejects.toThrow(/no usable checkpoint under .*model\.safetensors is missing/);
    await expect(openCheckpoint('latest', runDir())).rejects.toThrow(/no checkpoint under/);
  });
});

describe('keep_last and keep_best', () => {
  it('keeps the newest K and the best B by validation loss', () => {
    const cs = [
      { dir: 'a', step: 1, valLoss: 3.0 },
      { dir: 'b', step: 2, valLoss: 2.0 },
      { dir: 'c', step: 3, valLoss: null },
      { dir: 'd', step: 4, valLoss: 2.5 },
      { dir: 'e', step: 5, valLoss: 2.6 },
    ];
    expect(checkpointsToDelete(cs, 2, 0)).toEqual(['a', 'b', 'c']);
    expect(checkpointsToDelete(cs, 2, 1)).toEqual(['a', 'c']);
    expect(checkpointsToDelete(cs, 1, 2)).toEqual(['a', 'c']);
    expect(checkpointsToDelete(cs, 0, 1)).toEqual([]); // keep_last 0 keeps all
  });

  it('prunes on disk after each save', async () => {
    const run = runDir();
    for (const [step, loss] of [[1, 3], [2, 1.5], [3, 2], [4, 2.5], [5, 2.2]] as const) await saveCheckpoint(run, files(step, loss), { keepLast: 2, keepBest: 1 });
    expect((await listCheckpoints(join(run, 'checkpoints'))).map((d) => d.slice(-2))).toEqual(['02', '04', '05']);
  });
});

describe('a checkpoint that cannot be written', () => {
  it('unwritable output: a clear error naming the path, nothing taken as latest', async () => {
    const run = runDir();
    writeFileSync(join(run, 'checkpoints'), 'not a directory');
    const err = await saveCheckpoint(run, files(5)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toContain(join(run, 'checkpoints', 'step-0000005'));
  });

  // a real full device: a 256 KiB tmpfs (needs mount permission, as root in CI; skipped otherwise)
  const mnt = mkdtempSync(join(tmpdir(), 'vf-full-'));
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // not permitted here
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mnt]);
  });

  it.skipIf(!mounted)('disk full: the error says so, the partial checkpoint is removed, earlier ones stay intact and latest', async () => {
    await saveCheckpoint(mnt, files(1, null, 8 * 1024)); // ≈ 32 KiB
    const err = await saveCheckpoint(mnt, files(2, null, 128 * 1024)).catch((e: unknown) => e); // ≈ 512 KiB: does not fit
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(/step-0000002: the disk is full \(ENOSPC\); earlier checkpoints are intact/);
    expect(readdirSync(join(mnt, 'checkpoints'))).toEqual(['step-0000001']);
    const latest = await openCheckpoint('latest', mnt);
    expect(latest.checkpoint.state.step).toBe(1);
    expect(latest.skipped).toEqual([]);
    expect(existsSync(join(mnt, 'checkpoints', 'step-0000002'))).toBe(false);
  });
});
