import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The parts of `@tensorflow/tfjs-backend-wasm` this file uses. */
export interface WasmBackendModule {
  BackendWasm: new (wasm: unknown) => tf.KernelBackend;
  setThreadsCount(n: number): void;
}

/**
 * Makes the tfjs `wasm` backend start tfjs's threaded-SIMD build with `threads` XNNPACK threads.
 * Call after importing `@tensorflow/tfjs-backend-wasm` and before `tf.setBackend('wasm')`.
 * Returns false, leaving the stock single-thread factory in place, when threads ≤ 1 or the build
 * files cannot be found (e.g. inside an esbuild bundle).
 *
 * Why this is needed (tfjs 4.22, Node 20): the stock loader never picks the threaded build in Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is hard-wired to false when `IS_NODE`, tfjs issue #3830), and
 * forcing the flag is not enough: tfjs gives Emscripten its pthread worker and main script as
 * blob: URLs, which Node's worker_threads cannot start. This factory calls the threaded Emscripten
 * module itself with real file paths (the worker is `wasmPthreadWorker.cjs`), then builds the same
 * `BackendWasm` the stock factory builds, so every registered wasm kernel applies unchanged.
 *
 * Two more details: the C side caps the pool at `emscripten_num_logical_cores() / 2` (it assumes
 * hyper-threading), which in Node is `os.cpus().length / 2`, i.e. 1 thread on a 2-vCPU machine, so
 * `os.cpus` reports at least 2·threads entries while the module initialises (restored right after);
 * and idle pthread workers are `unref`ed by Emscripten, so they do not keep the process alive.
 */
export function useThreadedWasm(wasm: WasmBackendModule, threads: number): boolean {
  if (threads <= 1 || typeof SharedArrayBuffer === 'undefined') return false;
  const files = threadedBuildFiles();
  if (!files) return false;
  const stock = tf.findBackendFactory('wasm');
  wasm.setThreadsCount(threads);
  tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      try {
        const module = await startThreadedModule(files, threads);
        const backend = new wasm.BackendWasm(module); // starts the XNNPACK pool: threads − 1 workers
        // A worker running a pthread is ref'ed by Emscripten; the pool's threads never end, so
        // they would keep Node alive after the program is done. Idle workers are unref'ed already.
        for (const w of module.PThread?.runningWorkers ?? []) w.unref();
        return backend;
      } catch (e) {
        if (!stock) throw e;
        wasm.setThreadsCount(1);
        return await stock();
      }
    },
    2, // the stock wasm priority
  );
  return true;
}

interface BuildFiles {
  main: string;
  wasm: string;
  worker: string;
}

function threadedBuildFiles(): BuildFiles | null {
  try {
    const require = createRequire(import.meta.url);
    const main = require.resolve('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.js');
    const worker = fileURLToPath(new URL('./wasmPthreadWorker.cjs', import.meta.url));
    const wasm = main.replace(/\.js$/, '.wasm');
    return existsSync(worker) && existsSync(wasm) ? { main, wasm, worker } : null;
  } catch {
    return null;
  }
}

interface EmscriptenModule {
  cwrap(name: string, ret: string | null, args: string[]): (...a: unknown[]) => unknown;
  tfjs?: Record<string, unknown>;
  PThread?: { runningWorkers: { unref(): void }[] };
}

async function startThreadedModule(files: BuildFiles, threads: number): Promise<EmscriptenModule> {
  const require = createRequire(import.meta.url);
  const factory = require(files.main) as (config: object) => Promise<EmscriptenModule>;
  const os = require('node:os') as { cpus: () => unknown[] };
  const cpus = os.cpus;
  const real = cpus();
  os.cpus = () => (real.length >= 2 * threads ? real : Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]));
  let module: EmscriptenModule;
  try {
    module = await factory({
      locateFile: (path: string) => (path.endsWith('.worker.js') ? files.worker : path.endsWith('.wasm') ? files.wasm : path),
      mainScriptUrlOrBlob: files.main, // pthread workers load this file to start the module
    });
  } finally {
    os.cpus = cpus;
  }
  // The bridge the stock loader attaches (tfjs-backend-wasm backend_wasm.js, init()).
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}
