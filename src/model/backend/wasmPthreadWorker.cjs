// Emscripten pthread worker for the tfjs-backend-wasm threaded-SIMD build, as a file Node's
// worker_threads can start (tfjs hands Emscripten a blob: URL, which Node cannot run).
// tfjs ships the worker script as a string; it expects `require` and `__filename` as globals and
// its "\n" escapes to survive being put into a Blob (hence the replace, as tfjs itself does).
const { wasmWorkerContents } = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
globalThis.require = require;
globalThis.__filename = __filename;
(0, eval)(wasmWorkerContents.replace(/\n/g, '\\n'));
