/**
 * Crash bench: one training run killed with SIGKILL again and again — at seeded random moments, as a
 * checkpoint is being written, and as the token cache is being written (each of those with a fresh
 * cache_dir) — and carried on each time (`--resume latest` once a checkpoint exists, a fresh start
 * before), then finished; its history.csv and metrics.jsonl must hold one trajectory whose losses
 * equal, to the bit, those of an uninterrupted run of the same seed (wasm). Prints each kill: when,
 * what it interrupted, what the next run resumed from.
 * Run: `npm run bench -- crash [--kills N (12)] [--steps N (60)] [--seed S (1)]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { continueArgs, crashArgs, hasCheckpoint, type KillAt, lossDifferences, newestCheckpointStep, runTraining, seededRandom, trajectory } from './crashHarness.ts';
import { type BenchInput, configInput, packageInput, repoFile, wasmBinaries } from './inputs.ts';

/** What `npm run bench -- crash --check` verifies. */
export function crashInputs(): BenchInput[] {
  return [
    repoFile('script', 'bin/versiflow-dev.mjs', "what npm start runs (package.json's start script), spawned and killed"),
    packageInput('tsx/esm/api', 'the dev entry runs the sources through tsx'),
    configInput('tiny', 'the config made minimal'),
    repoFile('data', 'data/ru_poetry.parquet', 'the corpus (300 poems)'),
    ...wasmBinaries('the wasm backend'),
  ];
}

export const CRASH_OPTIONS = '[--kills N (12)] [--steps N (60)] [--seed S (1)]';

export function crashBenchArgs(args: readonly string[]): { kills: number; steps: number; seed: number } {
  const o = { kills: 12, steps: 60, seed: 1 };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], Number(args[i + 1])];
    const key = k?.replace(/^--/, '') as keyof typeof o;
    if (!(key in o) || !Number.isInteger(v) || v < (key === 'seed' ? 0 : 1)) throw new Error(`crash: bad option "${k} ${args[i + 1] ?? ''}"; options: ${CRASH_OPTIONS}`);
    o[key] = v;
  }
  return o;
}

export async function benchCrash(args: readonly string[] = [], log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const { kills, steps, seed } = crashBenchArgs(args);
  const cfg = { steps, checkpointEvery: 5, seed: 7 };
  const random = seededRandom(seed);
  const root = mkdtempSync(join(tmpdir(), 'versiflow-bench-crash-'));
  try {
    const ref = { out: join(root, 'ref'), cacheDir: join(root, 'ref-cache') };
    const r0 = await runTraining(crashArgs(cfg, ref.out, ref.cacheDir), ref);
    if (r0.code !== 0) throw new Error(`the reference run failed (${r0.code}): ${r0.stderr}`);
    const msPerStep = (r0.wallMs - r0.firstStepMs) / steps;
    const want = trajectory(ref.out);
    log(`crash: ${steps} steps, checkpoint every ${cfg.checkpointEvery}, wasm; uninterrupted: ${(r0.firstStepMs / 1000).toFixed(1)} s to the first step, then ${msPerStep.toFixed(0)} ms a step; ${kills} kills (seed ${seed})`);
    const out = join(root, 'crash');
    let cacheDir = join(root, 'cache-0');
    const tally = new Map<string, number>();
    let finished = false;
    for (let k = 0; k < kills && !finished; k++) {
      const from = newestCheckpointStep(out);
      // a checkpoint 1–3 periods ahead of where this run starts, while there is one before the end
      const target = (Math.floor(from / cfg.checkpointEvery) + 1 + Math.floor(random() * 3)) * cfg.checkpointEvery;
      let kind = (['time', 'checkpoint-write', 'time', 'token-cache-write'] as const)[k % 4];
      if (kind === 'checkpoint-write' && target >= steps) kind = 'time';
      if (kind === 'token-cache-write') cacheDir = join(root, `cache-${k}`); // a fresh cache_dir: the cache is written again
      const kill: KillAt =
        kind === 'time' ? { at: 'time', ms: Math.round(random() * msPerStep * (steps - from) * 0.9) } : kind === 'checkpoint-write' ? { at: 'checkpoint-write', step: target } : { at: 'token-cache-write' };
      const resuming = hasCheckpoint(out);
      const r = await runTraining(continueArgs(crashArgs(cfg, out, cacheDir), out), { out, cacheDir, kill });
      // the run says where it resumed once its data is ready; killed before that, say what it was given
      const resumed = /resumed from \S+ at step (\d+)/.exec(r.stdout)?.[1];
      const start = resumed ? `resumed at step ${resumed}` : resuming ? `--resume latest (newest checkpoint ${from})` : 'a fresh start';
      const reached = [...r.stdout.matchAll(/^step (\d+)\//gm)].at(-1)?.[1] ?? '0';
      const point = kill.at === 'time' ? `${kill.ms} ms after the first step` : kill.at === 'checkpoint-write' ? `writing checkpoint ${kill.step}` : 'writing the token cache';
      const what = r.killed ?? `never: exit ${r.code}`;
      tally.set(what.replace(/ of .*/, ''), (tally.get(what.replace(/ of .*/, '')) ?? 0) + 1);
      log(`  kill ${k + 1} (${point}): ${start}, reached step ${reached}, killed ${what}`);
      if (r.code !== null && r.code !== 0) throw new Error(`run ${k + 1} failed (exit ${r.code}): ${r.stderr}`);
      finished = r.code === 0; // it reached the end before the kill point
    }
    if (!finished) {
      const last = await runTraining(continueArgs(crashArgs(cfg, out, cacheDir), out), { out, cacheDir });
      if (last.code !== 0) throw new Error(`the final run failed (${last.code}): ${last.stderr}`);
      log(`  then: ${/resumed from \S+ at step (\d+)/.exec(last.stdout)?.[0] ?? 'a fresh start'}, to step ${steps}`);
    }
    log(`crash: kills ${[...tally].map(([w, n]) => `${n} ${w}`).join(', ')}`);
    const diffs = lossDifferences(trajectory(out), want);
    if (diffs.length) throw new Error(`crash: the resumed trajectory differs from the uninterrupted one at ${diffs.length} steps: ${diffs.slice(0, 5).join('; ')}`);
    log(`crash: history.csv and metrics.jsonl hold one trajectory of ${want.size} steps, every loss equal to the uninterrupted run's to the bit`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
