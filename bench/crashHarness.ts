/**
 * Crash harness: trains a tiny model in a child process (as `npm start` runs it), kills it with
 * SIGKILL at a chosen moment — a time, the moment a checkpoint's temporary directory appears (a kill
 * during a checkpoint write), or the moment a token cache's temporary directory appears (a kill while
 * the tokenized corpus is written) — then carries on as a user would (`--resume latest` when a
 * checkpoint exists, a fresh start otherwise) and compares the losses the run directory finally holds
 * with an uninterrupted run of the same seed: they must be equal to the bit on cpu/wasm.
 * Used by test/cli/crashResume.test.ts (two kills) and `npm run bench -- crash` (many).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, watch } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/..). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What `npm start` runs (package.json's start script: node bin/versiflow-dev.mjs train), as argv with this node. */
export function devEntry(): string[] {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const [cmd, script, ...rest] = pkg.scripts.start.split(/\s+/);
  if (cmd !== 'node') throw new Error(`package.json's start script does not start with node: ${pkg.scripts.start}`);
  return [process.execPath, join(REPO_ROOT, script), ...rest];
}

export interface CrashConfig {
  readonly steps: number;
  readonly checkpointEvery: number;
  readonly seed: number;
  readonly backend?: 'wasm' | 'cpu';
}

/** A 1-layer, 32-wide char model on 300 poems, every step logged, no evaluation or samples. */
export function crashArgs(c: CrashConfig, out: string, cacheDir: string): string[] {
  return [
    '--config', 'tiny', '--max-docs', '300', '--context', '16', '--batch-size', '4', '--layers', '1', '--hidden', '32', '--heads', '2', '--kv-heads', '1',
    '--max-steps', String(c.steps), '--checkpoint-every', String(c.checkpointEvery), '--seed', String(c.seed), '--log-every', '1', '--eval-every', '0',
    '--sample-tokens', '0', '--backend', c.backend ?? 'wasm', '--no-ws', '--reporter', 'plain', '--token-cache', '--cache-dir', cacheDir, '--out', out,
  ];
}

/**
 * When to kill: `ms` after the run printed its first training step, or as soon as a checkpoint
 * (`step`, default any) or the token cache starts being written.
 */
export type KillAt = { readonly at: 'time'; readonly ms: number } | { readonly at: 'checkpoint-write'; readonly step?: number } | { readonly at: 'token-cache-write' };

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Killed: what the kill interrupted (a write's temporary directory still there after the kill), or 'between writes'. */
  readonly killed?: string;
  /** Milliseconds from the start to the first training step's line (NaN when none came), and to the exit. */
  readonly firstStepMs: number;
  readonly wallMs: number;
}

/**
 * Runs `versiflow train ARGS` to its end, or kills it with SIGKILL at `kill` (a kill point the run
 * never reaches lets it finish). The checkpoints/ and cache directories are made first so they can
 * be watched.
 */
export async function runTraining(args: readonly string[], o: { out: string; cacheDir: string; kill?: KillAt; timeoutMs?: number }): Promise<RunResult> {
  const ckptDir = join(o.out, 'checkpoints');
  mkdirSync(ckptDir, { recursive: true });
  mkdirSync(o.cacheDir, { recursive: true });
  const before = new Set(tmpEntries(ckptDir, o.cacheDir));
  const [cmd, ...pre] = devEntry();
  const child = spawn(cmd, [...pre, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const t0 = performance.now();
  let firstStepMs = NaN;
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let killed = false;
  const kill = () => {
    if (killed) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const watchers: { close(): void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  const k = o.kill;
  child.stdout!.on('data', (d) => {
    stdout += d;
    if (!Number.isNaN(firstStepMs) || !/^step \d+\//m.test(stdout)) return;
    firstStepMs = performance.now() - t0;
    if (k?.at === 'time') timer = setTimeout(kill, k.ms);
  });
  if (k?.at === 'checkpoint-write') {
    const tmpName = k.step === undefined ? /^\.step-\d+\.tmp-/ : new RegExp(`^\\.step-${String(k.step).padStart(7, '0')}\\.tmp-`);
    watchers.push(watch(ckptDir, (_, name) => name && tmpName.test(String(name)) && kill()));
  }
  if (k?.at === 'token-cache-write') {
    // the shards' temporary directory (<key>.tmp-XXXXXX), not the char vocabulary's temp file written before it
    watchers.push(watch(o.cacheDir, (_, name) => name && /\.tmp-/.test(String(name)) && kill()));
  }
  const limit = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 120_000);
  const { code, signal } = await exitOf(child);
  clearTimeout(limit);
  clearTimeout(timer);
  for (const w of watchers) w.close();
  const wallMs = performance.now() - t0;
  if (!killed) return { code, signal, stdout, stderr, firstStepMs, wallMs };
  const left = tmpEntries(ckptDir, o.cacheDir).filter((p) => !before.has(p));
  const during = left.length ? `during the write of ${left.join(', ')}` : 'between writes';
  return { code, signal, stdout, stderr, firstStepMs, wallMs, killed: signal === 'SIGKILL' ? during : `never: it exited ${code} first` };
}

/** Temporary entries of checkpoint and token-cache writes (what a write cut short leaves behind). */
function tmpEntries(ckptDir: string, cacheDir: string): string[] {
  const list = (dir: string, re: RegExp) => (existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).map((n) => join(dir, n)) : []);
  return [...list(ckptDir, /^\.step-\d+\.tmp-/), ...list(cacheDir, /\.tmp/)];
}

const exitOf = (child: ChildProcess) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('exit', (code, signal) => res({ code, signal })));

/** Has the run at `out` a checkpoint to resume from (a step-* directory)? */
export const hasCheckpoint = (out: string): boolean => existsSync(join(out, 'checkpoints')) && readdirSync(join(out, 'checkpoints')).some((n) => /^step-\d+$/.test(n));

/** The step of the newest checkpoint directory of the run at `out` (complete or not), 0 when none. */
export function newestCheckpointStep(out: string): number {
  if (!existsSync(join(out, 'checkpoints'))) return 0;
  return Math.max(0, ...readdirSync(join(out, 'checkpoints')).map((n) => /^step-(\d+)$/.exec(n)?.[1]).filter((x) => x !== undefined).map(Number));
}

/** The args to continue the run at `out` as a user would: resume when it has a checkpoint, else start over. */
export const continueArgs = (args: readonly string[], out: string): string[] => (hasCheckpoint(out) ? [...args, '--resume', 'latest'] : [...args]);

/**
 * The losses of metrics.jsonl's train/step events, by step; throws unless the file is one trajectory
 * (steps strictly increasing) and history.csv's steps are strictly increasing too.
 */
export function trajectory(out: string): Map<number, number> {
  const losses = new Map<number, number>();
  let last = 0;
  for (const line of readFileSync(join(out, 'metrics.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    const e = JSON.parse(line) as { type: string; step: number; loss: number | null };
    if (e.type !== 'train/step') continue;
    if (e.step <= last) throw new Error(`${out}/metrics.jsonl is not one trajectory: train/step ${e.step} after ${last}`);
    last = e.step;
    losses.set(e.step, e.loss ?? NaN);
  }
  let prev = 0;
  for (const row of readFileSync(join(out, 'history.csv'), 'utf8').trim().split('\n').slice(1)) {
    const step = Number(row.split(',')[0]);
    if (!(step > prev)) throw new Error(`${out}/history.csv is not one trajectory: step ${step} after ${prev}`);
    prev = step;
  }
  return losses;
}

/** Steps whose losses differ between two trajectories (or are missing from one), as "step: a ≠ b". */
export function lossDifferences(got: ReadonlyMap<number, number>, want: ReadonlyMap<number, number>): string[] {
  const out: string[] = [];
  for (const [step, loss] of want) if (!Object.is(got.get(step), loss)) out.push(`step ${step}: ${got.get(step)} ≠ ${loss}`);
  for (const step of got.keys()) if (!want.has(step)) out.push(`step ${step}: not in the reference`);
  return out;
}

/** A seeded generator of floats in [0, 1) (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
