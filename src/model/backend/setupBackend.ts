import * as tf from '@tensorflow/tfjs';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { cpus } from 'node:os';
import { useKernels } from '../kernels/select.ts';
import { checkTiles, parseTiles } from '../kernels/webgpu/matmul.ts';
import { registerSubgroupMatMul } from '../kernels/webgpu/matmulKernel.ts';
import { registerSumRows } from '../kernels/webgpu/sumRows.ts';
import { probeFlashLanes } from '../kernels/webgpu/flashAttention.ts';
import { registerCpuBatchMatMul } from './cpuBatchMatMul.ts';
import { raiseMallocThresholds } from './mallocThreshold.ts';
import { loadNativeGemm, type NativeGemm } from './nativeGemm.ts';
import { registerWasmTrainingKernels } from './wasmKernels.ts';
import { useThreadedWasm, type WasmBackendModule } from './wasmThreads.ts';
import { watchWebgpuErrors } from './webgpuErrors.ts';
import { describeWebgpuAdapter, installNavigatorGpu } from './webgpuSetup.ts';

import type { BackendChoice, CpuMatmulChoice } from '../../core/config/schema.ts';

export type { BackendChoice, CpuMatmulChoice };

export interface BackendReport {
  /** tfjs backend name in use: tensorflow, webgpu, wasm or cpu. */
  readonly name: string;
  /** Human description: GPU adapter, CPU model and threads, ... */
  readonly device: string;
  /** Backends `auto` tried and skipped, with the reason. */
  readonly skipped: readonly { readonly name: string; readonly reason: string }[];
  /** webgpu: the largest buffer one kernel may bind (the adapter's maxStorageBufferBindingSize). */
  readonly maxBindingBytes?: number;
}

export interface BackendOptions {
  /**
   * XNNPACK threads for the wasm backend; above 1 it loads tfjs's threaded-SIMD build (works in
   * Node 20, see wasmThreads.ts). Default 1: on a shared 2-vCPU machine 2 threads made a training
   * step of a small model slower, each small op waiting for the pool to wake (figures in
   * docs/benchmarks.md#figures-behind-source-comments). Worth trying `os.availableParallelism()` on a
   * dedicated many-core machine.
   * @default 1
   */
  readonly wasmThreads?: number;
  /**
   * Replace the wasm kernels tfjs runs slowly (BatchMatMul with transposes or batch dims).
   * Off only to measure the stock backend.
   * @default true
   */
  readonly wasmFastKernels?: boolean;
  /**
   * The wasm and cpu backends' matrix products (config key `cpu_matmul`): `onnxruntime` runs them on
   * onnxruntime-node's native CPU GEMM (nativeGemm.ts), `xnnpack` on tfjs's own kernels (wasm: XNNPACK);
   * `auto` takes onnxruntime when it loads and passes its self-check, else XNNPACK.
   * @default 'auto'
   */
  readonly cpuMatmul?: CpuMatmulChoice;
  /** Threads of the native GEMM. @default os.availableParallelism() */
  readonly cpuMatmulThreads?: number;
  /** Backends `auto` must pass over, with the reason (e.g. a model too big for wasm's heap). */
  readonly skip?: Readonly<Record<string, string>>;
  /** Fused WebGPU kernels (config key `kernels`): auto | fused | stock | a comma list. @default 'auto' */
  readonly kernels?: string;
  /** The webgpu matmul kernel's tiles, "bm x bn x bk : tm x tn" (config key `matmul_tiles`); empty = default. */
  readonly matmulTiles?: string;
}

/**
 * The matmul_tiles setting, checked (with the device's workgroup memory when given: a card may offer
 * more than WebGPU's 16 KiB); a ConfigError naming the key otherwise. A bad value fails at startup,
 * not at the first matmul.
 */
function matmulTilesSetting(spec: string, maxSharedBytes?: number): ReturnType<typeof parseTiles> {
  try {
    const tiles = parseTiles(spec);
    checkTiles({ transposeA: false, transposeB: false, vecA: true, vecB: true, vecC: true, subgroups: false, tiles }, maxSharedBytes);
    return tiles;
  } catch (e) {
    throw new ConfigError(`matmul_tiles: ${(e as Error).message}`);
  }
}

/** `auto` order: the fastest first (wasm is far faster than cpu on CPUs: docs/benchmarks.md). */
const AUTO_ORDER = ['tensorflow', 'webgpu', 'wasm', 'cpu'] as const;

/**
 * Selects and initialises a tfjs backend. Must run before any tensor is created. `skip` names
 * backends `auto` must pass over, with the reason (e.g. a model too big for wasm's heap).
 * Throws when an explicitly requested backend cannot load, naming it and the reason.
 */
export async function setupBackend(choice: BackendChoice = 'auto', opts: BackendOptions = {}): Promise<BackendReport> {
  useKernels(opts.kernels ?? 'auto'); // throws on an unknown kernel name before anything loads
  if (opts.matmulTiles) matmulTilesSetting(opts.matmulTiles, Infinity); // format and shape errors before loading; memory once the device is known
  const order = choice === 'auto' ? AUTO_ORDER : [choice];
  const skipped: { name: string; reason: string }[] = [];
  for (const name of order) {
    const veto = opts.skip?.[name];
    if (veto && choice === 'auto') {
      skipped.push({ name, reason: veto });
      continue;
    }
    // asked for by name: fail before anything loads, not at the first step with the heap overrun
    if (veto) throw new ConfigError(`backend ${name}: ${veto}${veto.includes('--backend') ? '' : '; use --backend cpu (slow) or a GPU backend (webgpu, tensorflow)'}`);
    try {
      let device = await LOADERS[name](opts, choice === 'auto');
      silenceCpuBanner();
      const limit = (tf.backend() as unknown as { device?: GPUDevice }).device?.limits?.maxStorageBufferBindingSize;
      if (tf.getBackend() === 'webgpu' && limit) {
        device += `; storage binding limit ${(limit / 2 ** 20).toFixed(0)} MiB`;
        return { name: 'webgpu', device, skipped, maxBindingBytes: limit };
      }
      return { name: tf.getBackend(), device, skipped };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      if (choice !== 'auto') throw new Error(`backend "${name}" is not available: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name} (${s.reason})`).join('; ')}`);
}

const LOADERS: Record<Exclude<BackendChoice, 'auto'>, (opts: BackendOptions, auto: boolean) => Promise<string>> = {
  async tensorflow() {
    let loaded = '';
    for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
      try {
        await import(pkg);
        loaded = pkg;
        break;
      } catch {
        /* try the next one */
      }
    }
    if (!loaded) throw new Error('neither @tensorflow/tfjs-node-gpu nor @tensorflow/tfjs-node is installed (optional; needs libtensorflow)');
    await activate('tensorflow');
    return `libtensorflow via ${loaded}`;
  },
  async webgpu(opts, auto) {
    // auto passes over a software adapter (Mesa's lavapipe, SwiftShader): WebGPU emulated on the
    // CPU is slower than wasm (docs/benchmarks.md). --backend webgpu still takes it (tests do).
    await installNavigatorGpu({ allowSoftware: !auto });
    await import('@tensorflow/tfjs-backend-webgpu' as string);
    await activate('webgpu');
    watchWebgpuErrors();
    if (opts.matmulTiles) matmulTilesSetting(opts.matmulTiles, (tf.backend() as unknown as { device: GPUDevice }).device.limits.maxComputeWorkgroupStorageSize);
    registerSubgroupMatMul(opts.matmulTiles ? { tiles: parseTiles(opts.matmulTiles) } : {}); // runs only while the matmul kernel is on (kernels key)
    registerSumRows(); // likewise sum_rows
    await probeFlashLanes().catch(() => false); // multi-lane flash attention only where subgroups act as it assumes
    return await describeWebgpuAdapter();
  },
  async wasm(opts) {
    raiseMallocThresholds(); // before the native GEMM's first product
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const threaded = useThreadedWasm(wasm as unknown as WasmBackendModule, opts.wasmThreads ?? 1);
    const fast = opts.wasmFastKernels ?? true;
    // the threaded build's heap is a SharedArrayBuffer, which onnxruntime-node's binding refuses as a tensor: XNNPACK's threads then
    const native = fast && !threaded ? nativeMatmul(opts) : null;
    registerWasmTrainingKernels({ fast, native });
    await withoutEmscriptenHandlers(() => activate('wasm'));
    const n = wasm.getThreadsCount();
    const matmul = native ? native.description : fast ? 'wasm XNNPACK' : 'tfjs stock';
    return `${cpuName()}, wasm ${threaded && n > 1 ? 'threaded-simd' : 'simd'}, ${n} thread(s); matmul: ${matmul}`;
  },
  async cpu(opts) {
    raiseMallocThresholds(); // a new typed array per op
    const native = nativeMatmul(opts);
    registerCpuBatchMatMul(native);
    await activate('cpu');
    return `${cpuName()}, pure JavaScript; matmul: ${native ? native.description : 'JavaScript'}`;
  },
};

/** The native GEMM for `cpu_matmul` auto/onnxruntime, or null for XNNPACK; onnxruntime asked for by name and missing is an error. */
function nativeMatmul(opts: BackendOptions): NativeGemm | null {
  const choice = opts.cpuMatmul ?? 'auto';
  if (choice === 'xnnpack') return null;
  const g = loadNativeGemm(opts.cpuMatmulThreads);
  if (!('unavailable' in g)) return g;
  if (choice === 'onnxruntime') throw new ConfigError(`cpu_matmul: onnxruntime: ${g.unavailable}; install onnxruntime-node beside versiflow, or set cpu_matmul: xnnpack`);
  return null;
}

async function activate(name: string): Promise<void> {
  if (!tf.findBackendFactory(name)) throw new Error(`tfjs backend "${name}" is not registered`);
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tfjs could not initialise backend "${name}"`);
  await tf.ready();
}

/**
 * Runs `f` and removes the process handlers it added. tfjs's wasm build (Emscripten's Node glue) adds
 * an uncaughtException and an unhandledRejection handler that rethrow from inside the handler: Node
 * then prints the rethrow site, a line of minified source some 20 KB long, and exits 7 instead of
 * reporting the error. Without them Node reports the error itself.
 */
async function withoutEmscriptenHandlers<T>(f: () => Promise<T>): Promise<T> {
  const proc = process as unknown as NodeJS.EventEmitter; // one call for both events (process's typings overload per event)
  const events = ['uncaughtException', 'unhandledRejection'];
  const before = events.map((e) => new Set(proc.listeners(e)));
  try {
    return await f();
  } finally {
    events.forEach((e, i) => {
      for (const l of proc.listeners(e)) if (!before[i].has(l)) proc.off(e, l as (...args: unknown[]) => void);
    });
  }
}

function cpuName(): string {
  const c = cpus();
  return `${c[0]?.model.trim() ?? 'CPU'} ×${c.length}`;
}

/**
 * The cpu backend prints a "Hi, looks like you are running TensorFlow.js in Node.js" banner on its
 * first tensor write; it would land in the TUI and users' logs. Marking the backend as used skips it.
 */
function silenceCpuBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}
