/**
 * Training throughput on the CPU (issue 5): the 426k-parameter model (vocab 256, hidden 128,
 * 2 layers, 4 heads, T=64, B=8, RMSNorm + SwiGLU, AdamW) on our wasm backend (1 and 2 threads),
 * stock tfjs wasm, tfjs cpu, and PyTorch (bench/torch_train_ref.py, 2 threads) when
 * /usr/bin/python3 has torch. Each measurement is a fresh process (a tfjs backend is fixed per
 * process); variants are interleaved over rounds so that load from other processes hits them
 * alike, and the ratios are taken from the best round of each.
 * Run: `npm run bench -- train` (BENCH_ROUNDS, BENCH_STEPS to change the defaults 2 and 20).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BenchInput, packageInput, repoFile, systemTool, wasmBinaries } from './inputs.ts';
import type { ProbeOptions, ProbeResult } from './trainProbe.ts';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./trainProbe.ts', import.meta.url));
const TORCH_REF = fileURLToPath(new URL('./torch_train_ref.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

/** What `npm run bench -- train --check` verifies: the probe is imported too, so a bad import in it fails. */
export function trainInputs(): BenchInput[] {
  return [
    { ...repoFile('script', 'bench/trainProbe.ts', 'one measurement per process'), verify: async () => (await import('./trainProbe.ts'), 'imports') },
    packageInput('tsx', 'the probe runs under node --import tsx'),
    ...wasmBinaries('the wasm backend of the probes'),
    repoFile('script', 'bench/torch_train_ref.py', 'the PyTorch reference'),
    systemTool(PYTHON, 'PyTorch rows, when it has torch'),
  ];
}

interface Variant {
  readonly name: string;
  readonly measure: () => Promise<number | null>; // tokens/s, null = unavailable
}

async function probe(o: ProbeOptions): Promise<number> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(o)], { timeout: 600_000 });
  return (JSON.parse(stdout.trim().split('\n').pop()!) as ProbeResult).tokensPerSec;
}

async function torchAvailable(): Promise<string | null> {
  if (!existsSync(PYTHON)) return null;
  try {
    const { stdout } = await run(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { timeout: 60_000 });
    return stdout.trim();
  } catch {
    return null;
  }
}

export async function benchTrain(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
  const steps = Number(process.env.BENCH_STEPS ?? 20);
  const torch = await torchAvailable();
  log(`train bench: 426k params, T=64, B=8, ${steps} steps after 3 warm-up (cpu: 3 after 1), ${rounds} rounds, tokens/s`);
  log(torch ? `PyTorch ${torch} at ${PYTHON}` : `PyTorch: not available at ${PYTHON} (apt-get install python3-torch), skipped`);
  const variants: Variant[] = [
    { name: 'ours wasm 1 thread', measure: () => probe({ backend: 'wasm', threads: 1, steps }) },
    { name: 'ours wasm 2 threads', measure: () => probe({ backend: 'wasm', threads: 2, steps }) },
    { name: 'stock tfjs wasm', measure: () => probe({ backend: 'wasm', threads: 1, fastKernels: false, steps }) },
    { name: 'tfjs cpu', measure: () => probe({ backend: 'cpu', steps: 3, warmup: 1 }) },
  ];
  if (torch) {
    // 2 threads is the reference setting; 1 thread too, since under load from other processes
    // PyTorch's 2 OpenMP threads can fall far below its 1-thread speed.
    for (const threads of [2, 1]) {
      variants.push({
        name: `PyTorch ${threads} thread${threads > 1 ? 's' : ''}`,
        measure: async () => {
          const { stdout } = await run(PYTHON, [TORCH_REF, '--preset', 'cpu', '--threads', String(threads), '--steps', String(steps)], { timeout: 600_000 });
          return (JSON.parse(stdout.trim().split('\n').pop()!) as { tokens_per_sec: number }).tokens_per_sec;
        },
      });
    }
  }
  const best = new Map<string, number>();
  for (let r = 0; r < rounds; r++) {
    for (const v of variants) {
      if (v.name === 'tfjs cpu' && r > 0) continue; // ~25 s a run; one is enough for a 10x gap
      const tps = await v.measure();
      if (tps == null) continue;
      best.set(v.name, Math.max(best.get(v.name) ?? 0, tps));
      log(`  round ${r + 1}  ${v.name.padEnd(20)} ${tps.toFixed(0).padStart(6)} tok/s`);
    }
  }
  log('best of rounds:');
  const ours = best.get('ours wasm 1 thread')!;
  const pt = Math.max(best.get('PyTorch 2 threads') ?? 0, best.get('PyTorch 1 thread') ?? 0) || undefined;
  if (pt) log(`  (PyTorch = the better of its 1- and 2-thread runs: ${pt.toFixed(0)} tok/s)`);
  for (const [name, tps] of best) {
    const ratios = [`ours/this ${(ours / tps).toFixed(2)}x`, pt ? `this/PyTorch ${(tps / pt).toFixed(2)}x` : ''].filter(Boolean).join(', ');
    log(`  ${name.padEnd(20)} ${tps.toFixed(0).padStart(6)} tok/s   ${ratios}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchTrain();
