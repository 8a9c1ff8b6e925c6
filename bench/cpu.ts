/**
 * CPU training speed of the zoo's shapes, Versiflow against PyTorch in one run (issue #20):
 *   char-10m  6 × 384, 6 heads, LayerNorm, GELU, learned positions   batch 8 × 256
 *   25m       5 × 384, latent K/V, RMSNorm, RoPE, SwiGLU, V 24,000    batch 1 × 512
 *   75m       12 × 640, latent K/V, RMSNorm, RoPE, SwiGLU, V 24,000   batch 1 × 512
 * Versiflow: the wasm backend with its products on onnxruntime's native GEMM (cpu_matmul:
 * onnxruntime, all cores; the default where onnxruntime-node is installed), and the path before it,
 * XNNPACK with 1 and 2 wasm threads (cpu_matmul: xnnpack) — bench/cpuProbe.ts, a process each;
 * PyTorch: bench/reference/cpu_step.py with 1 and 2 threads, when /usr/bin/python3 has torch.
 * Each side's best thread count is kept; the ratio is Versiflow ÷ PyTorch tokens/s. The runs of a
 * shape alternate (ours 1, torch 1, ours 2, torch 2) so that load from other processes hits both.
 * Targets: char-10m ≥ 0.5× PyTorch, 75m ≥ 0.3×. The machine's load average is printed with each shape.
 * Run: `npm run bench -- cpu` (BENCH_STEPS, default 2 timed steps after 1 warm-up; BENCH_SHAPES, a comma list).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BenchInput, configInput, packageInput, repoFile, systemTool, wasmBinaries } from './inputs.ts';
import type { CpuProbeOptions, CpuProbeResult } from './cpuProbe.ts';

const run = promisify(execFile);
const PROBE = fileURLToPath(new URL('./cpuProbe.ts', import.meta.url));
const TORCH_REF = fileURLToPath(new URL('./reference/cpu_step.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export const CPU_SHAPES = [
  { shape: 'char-10m', batch: 8, context: 256, target: 0.5 },
  { shape: '25m', batch: 1, context: 512, target: 0 },
  { shape: '75m', batch: 1, context: 512, target: 0.3 },
] as const;

export function cpuInputs(): BenchInput[] {
  return [
    { ...repoFile('script', 'bench/cpuProbe.ts', 'one Versiflow measurement per process'), verify: async () => (await import('./cpuProbe.ts'), 'imports') },
    packageInput('tsx', 'the probe runs under node --import tsx'),
    packageInput('onnxruntime-node', 'the native GEMM of cpu_matmul: onnxruntime (without it the onnxruntime column reads n/a)', true),
    ...wasmBinaries('the wasm backend of the probes', ['tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']),
    ...CPU_SHAPES.map((s) => configInput(s.shape, `the ${s.shape} shape`)),
    repoFile('script', 'bench/reference/cpu_step.py', 'the PyTorch reference'),
    systemTool(PYTHON, 'PyTorch rows, when it has torch'),
  ];
}

/** tokens/s over the timed steps, and of the fastest one. */
interface Speed {
  readonly mean: number;
  readonly best: number;
  /** Versiflow's: blocks recomputed in the backward ("1/6"). */
  readonly recomputed?: string;
}

async function ours(o: CpuProbeOptions): Promise<Speed | null> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', PROBE, JSON.stringify(o)], { timeout: 3_600_000, maxBuffer: 1 << 24 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as CpuProbeResult;
    return { mean: r.tokensPerSec, best: r.bestTokensPerSec, recomputed: r.recomputed };
  } catch (e) {
    process.stderr.write(`versiflow ${o.shape} ${o.threads} thread(s) failed: ${(e as Error).message.split('\n')[0]}\n`);
    return null;
  }
}

async function torch(shape: string, threads: number, batch: number, context: number, steps: number): Promise<Speed | null> {
  try {
    const args = [TORCH_REF, '--shape', shape, '--threads', String(threads), '--batch', String(batch), '--context', String(context), '--steps', String(steps)];
    const { stdout } = await run(PYTHON, args, { timeout: 3_600_000 });
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { tokens_per_sec: number; best_tokens_per_sec: number };
    return { mean: r.tokens_per_sec, best: r.best_tokens_per_sec };
  } catch (e) {
    process.stderr.write(`PyTorch ${shape} ${threads} thread(s) failed: ${(e as Error).message.split('\n')[0]}\n`);
    return null;
  }
}

async function torchVersion(): Promise<string | null> {
  if (!existsSync(PYTHON)) return null;
  try {
    // the BLAS it loaded (Debian's torch calls libblas.so.3, whichever alternative is installed): the
    // reference BLAS, which python3-torch alone pulls in, ran char-10m at 72 tok/s against ≈1,100 with OpenBLAS
    const probe = "import torch, os; torch.ones(64, 64) @ torch.ones(64, 64); m = [l.split()[-1] for l in open('/proc/self/maps') if 'blas' in l.lower()]; print(torch.__version__, 'BLAS: ' + (os.path.realpath(m[0]) if m else 'built in'))";
    const out = (await run(PYTHON, ['-c', probe], { timeout: 60_000 })).stdout.trim();
    return /\/blas\/libblas/.test(out) ? `${out} — the reference BLAS, PyTorch's figures are far below its real speed: apt-get install libopenblas0-pthread` : out;
  } catch {
    return null;
  }
}

/** The thread count (1-based) whose mean is highest, and its speeds. */
const best = (xs: (Speed | null)[]): (Speed & { at: number }) | null => {
  let out: (Speed & { at: number }) | null = null;
  xs.forEach((x, i) => {
    if (x !== null && (!out || x.mean > out.mean)) out = { ...x, at: i + 1 };
  });
  return out;
};

export async function benchCpu(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const steps = Number(process.env.BENCH_STEPS ?? 2);
  const only = process.env.BENCH_SHAPES?.split(',').map((s) => s.trim());
  const version = await torchVersion();
  log(`cpu bench: training steps (forward, backward, clip, AdamW), ${steps} timed after 1 warm-up, tokens/s; xnnpack and pytorch: best of 1 and 2 threads; onnxruntime: native GEMM on all cores; ratio: Versiflow's best ÷ PyTorch, before: XNNPACK ÷ PyTorch`);
  log(version ? `PyTorch ${version} at ${PYTHON}` : `PyTorch: not available at ${PYTHON} (apt-get install python3-torch), ratios skipped`);
  log('each cell: tokens/s over the timed steps / of the fastest step; ratios: over the steps, then of the fastest steps');
  log(`${'shape'.padEnd(9)} ${'batch'.padEnd(7)} ${'xnnpack'.padStart(15)} ${'onnxruntime'.padStart(11)} ${'pytorch'.padStart(15)} ${'ratio'.padStart(12)} ${'before'.padStart(12)}  target  load`);
  for (const s of CPU_SHAPES) {
    if (only && !only.includes(s.shape)) continue;
    const load0 = loadavg()[0];
    const x: (Speed | null)[] = [];
    const p: (Speed | null)[] = [];
    const shape = { shape: s.shape, batch: s.batch, context: s.context, steps };
    const native = await ours({ ...shape, threads: 1, matmul: 'onnxruntime' });
    for (const threads of [1, 2]) {
      x.push(await ours({ ...shape, threads, matmul: 'xnnpack' }));
      p.push(version ? await torch(s.shape, threads, s.batch, s.context, steps) : null);
    }
    const bx = best(x);
    const bp = best(p);
    const bv = native && (!bx || native.mean >= bx.mean) ? native : bx;
    const speed = (v: Speed | null) => (v ? `${v.mean.toFixed(0)}/${v.best.toFixed(0)}` : 'n/a');
    const ratio = (v: Speed | null) => (v && bp ? `${(v.mean / bp.mean).toFixed(2)}/${(v.best / bp.best).toFixed(2)}×` : 'n/a');
    log(
      `${s.shape.padEnd(9)} ${`${s.batch}×${s.context}`.padEnd(7)} ${`${speed(bx)} (${bx?.at ?? '-'}t)`.padStart(15)} ${speed(native).padStart(11)} ${`${speed(bp)} (${bp?.at ?? '-'}t)`.padStart(15)} ` +
        `${ratio(bv).padStart(12)} ${ratio(bx).padStart(12)}  ${s.target ? `≥${s.target}×` : '  -  '}   ${load0.toFixed(1)}→${loadavg()[0].toFixed(1)}  recomputed ${bv?.recomputed ?? '-'}`,
    );
  }
}
