/**
 * Soak: the whole training pipeline (createTrainRun: trainStep with the step guard, validation,
 * checkpoints every 500 steps pruned to the newest 3, history.csv and metrics.jsonl) for 10,000 tiny
 * steps on wasm (or cpu), sampling live tensors, JS heap (after a full GC) and RSS every 100 steps.
 * Prints the samples every 1,000 steps and the least-squares slope of each per 1,000 steps, fitted
 * after a warm-up tenth of the run (caches, compiled kernels and the allocator's pools fill first):
 * a leak shows as a steady slope, the target is flat (tensors exactly 0).
 * Run: `npm run bench -- soak [--steps N] [--backend wasm|cpu]` (checkpoints go to a temp dir).
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { lastValueFrom, tap } from 'rxjs';
import { historyCsv } from '../src/dashboard/historyCsv.ts';
import { metricsJsonl } from '../src/dashboard/metricsJsonl.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { createTrainRun } from '../src/pipeline/train/trainRun.ts';
import { type BenchInput, configInput, repoFile, wasmBinaries } from './inputs.ts';

/** What `npm run bench -- soak --check` verifies. */
export function soakInputs(): BenchInput[] {
  return [configInput('tiny', 'the config made minimal'), repoFile('data', 'data/ru_poetry.parquet', 'the corpus (300 poems)'), ...wasmBinaries('the wasm backend')];
}

export const SOAK_OPTIONS = '[--steps N (10000)] [--backend wasm|cpu]';

/** `--steps N --backend B` → options; throws on anything else. */
export function soakArgs(args: readonly string[]): { steps: number; backend: 'wasm' | 'cpu' } {
  const o = { steps: 10_000, backend: 'wasm' as 'wasm' | 'cpu' };
  for (let i = 0; i < args.length; i += 2) {
    const [k, v] = [args[i], args[i + 1]];
    if (k === '--steps' && Number.isInteger(Number(v)) && Number(v) >= 1000) o.steps = Number(v);
    else if (k === '--backend' && (v === 'wasm' || v === 'cpu')) o.backend = v;
    else throw new Error(`soak: bad option "${k} ${v ?? ''}"; options: ${SOAK_OPTIONS} (at least 1000 steps)`);
  }
  return o;
}

interface Sample {
  readonly step: number;
  readonly tensors: number;
  readonly heapMB: number;
  readonly rssMB: number;
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export async function benchSoak(args: readonly string[] = [], log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const { steps, backend } = soakArgs(args);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-soak-'));
  try {
    const report = await setupBackend(backend);
    const cfg = loadConfig('tiny', {
      max_docs: 300, context: 16, batch_size: 4, layers: 1, hidden: 32, heads: 2, kv_heads: 1, max_steps: steps, warmup_steps: 50,
      log_every: 100, eval_every: 1000, eval_batches: 2, sample_tokens: 0, checkpoint_every: 500, keep_checkpoints: 3,
      backend, ws: false, reporter: 'none', out: dir, cache_dir: join(dir, 'cache'),
    });
    const run = await createTrainRun(cfg, report);
    log(`soak: ${steps} steps of a ${run.params.toLocaleString('en-US')}-parameter model on ${report.name}, checkpoints every 500 (keep 3) to ${dir}, a sample every 100 steps`);
    const samples: Sample[] = [];
    const t0 = performance.now();
    let checkpoints = 0;
    const csv = historyCsv(join(dir, 'history.csv'));
    const jsonl = metricsJsonl(join(dir, 'metrics.jsonl'));
    await lastValueFrom(
      run.events$.pipe(
        tap((e) => {
          csv.next?.(e);
          jsonl.next?.(e);
          if (e.type === 'checkpoint') checkpoints++;
          if (e.type !== 'train/step' || e.step % 100 !== 0) return;
          gc();
          const mem = process.memoryUsage();
          const s = { step: e.step, tensors: tf.memory().numTensors, heapMB: mem.heapUsed / 2 ** 20, rssMB: mem.rss / 2 ** 20 };
          samples.push(s);
          if (e.step % 1000 === 0) log(`  step ${String(e.step).padStart(6)}: ${s.tensors} tensors, heap ${s.heapMB.toFixed(1)} MB, rss ${s.rssMB.toFixed(1)} MB, loss ${e.loss.toFixed(4)}, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
        }),
      ),
    );
    csv.complete?.();
    const fit = samples.filter((s) => s.step > steps / 10);
    const per1k = (f: (s: Sample) => number) => slope(fit.map((s) => s.step), fit.map(f)) * 1000;
    log(`soak: ${steps} steps in ${((performance.now() - t0) / 1000).toFixed(0)} s, ${checkpoints} checkpoints; least-squares slopes per 1,000 steps over steps ${fit[0]?.step}–${fit.at(-1)?.step} (${fit.length} samples):`);
    log(`  tensors ${per1k((s) => s.tensors).toFixed(3)} | JS heap ${per1k((s) => s.heapMB).toFixed(3)} MB | RSS ${per1k((s) => s.rssMB).toFixed(3)} MB`);
    log(`  tensors ${Math.min(...fit.map((s) => s.tensors))}–${Math.max(...fit.map((s) => s.tensors))}, heap ${Math.min(...fit.map((s) => s.heapMB)).toFixed(1)}–${Math.max(...fit.map((s) => s.heapMB)).toFixed(1)} MB, rss ${Math.min(...fit.map((s) => s.rssMB)).toFixed(1)}–${Math.max(...fit.map((s) => s.rssMB)).toFixed(1)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
