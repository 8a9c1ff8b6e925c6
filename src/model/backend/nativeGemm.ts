import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { encodeOnnxModel, type OnnxModel, type OnnxNode } from '../formats/onnx/onnxProto.ts';

/**
 * Float32 matrix products on onnxruntime's CPU GEMM (MLAS: AVX2/AVX-512 FMA, its own thread pool),
 * for the wasm backend's BatchMatMul. Why: wasm has only 128-bit SIMD without FMA, so XNNPACK in
 * tfjs's wasm build peaks near 35 GFLOP/s on the 2-core development machine where MLAS reaches
 * about 125 (docs/benchmarks.md#figures-behind-source-comments); matmuls were most of a CPU training
 * step. onnxruntime-node ships its native library inside its npm package (no download).
 *
 * The products run synchronously (tfjs kernels are synchronous), through onnxruntime-node's native
 * binding directly rather than its Promise-returning `InferenceSession.run`, on zero-copy views of
 * the operands: inputs are fed as typed-array views and the output is a pre-allocated view that
 * onnxruntime writes into. One tiny graph per (transA, transB, batched) kind, built with the
 * project's own ONNX encoder, with symbolic dims so one session serves every shape.
 */
export interface NativeGemm {
  /** "onnxruntime-node 1.30.0 (MLAS), 2 threads". */
  readonly description: string;
  /**
   * out = op(a)·op(b), op = transpose of the last two dims when asked. a [batchA, ra, ca],
   * b [batchB, rb, cb], out [max(batchA, batchB), M, N]; a batch of 1 broadcasts.
   */
  matmul(a: Float32Array, aDims: readonly number[], b: Float32Array, bDims: readonly number[], out: Float32Array, transA: boolean, transB: boolean): void;
  /**
   * Runs `build()`'s graph (made once per `key`) on flat float32 inputs of one length, writing its
   * output `Y` into `out` of that length: elementwise kernels (nativeGelu.ts) on the same runtime.
   */
  elementwise(key: string, build: () => OnnxModel, inputs: Readonly<Record<string, Float32Array>>, out: Float32Array): void;
}

interface BindingTensor {
  readonly type: 'float32';
  readonly dims: readonly number[];
  readonly data: Float32Array;
  readonly location: 'cpu';
}
interface BindingSession {
  loadModel(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, options: object): void;
  run(feeds: Record<string, BindingTensor>, fetches: Record<string, BindingTensor | null>, options: object): Record<string, unknown>;
}
interface OrtBinding {
  binding: { InferenceSession: new () => BindingSession };
  initOrt(): void;
}

const PACKAGE = 'onnxruntime-node';

/**
 * Loads onnxruntime-node and checks one product against a known answer. Returns the engine, or
 * the reason it is not available (package absent, a native library that will not load, a binding
 * whose shape differs from the 1.x one this was written against, a wrong answer).
 */
export function loadNativeGemm(threads = availableParallelism()): NativeGemm | { readonly unavailable: string } {
  let ort: OrtBinding;
  let version = '';
  try {
    const require = createRequire(import.meta.url);
    ort = require(`${PACKAGE}/dist/binding`) as OrtBinding;
    version = (require(`${PACKAGE}/package.json`) as { version: string }).version;
    ort.initOrt();
    if (typeof ort.binding?.InferenceSession !== 'function') return { unavailable: `${PACKAGE} ${version}: its native binding has no InferenceSession` };
  } catch (e) {
    return { unavailable: `${PACKAGE} is not installed or its native library did not load (${firstLine(e)})` };
  }
  try {
    const engine = new OrtGemm(ort, Math.max(1, threads), `${PACKAGE} ${version} (MLAS), ${threads} thread(s)`);
    const wrong = selfCheck(engine);
    return wrong ? { unavailable: `${PACKAGE} ${version}: ${wrong}` } : engine;
  } catch (e) {
    return { unavailable: `${PACKAGE} ${version}: ${firstLine(e)}` };
  }
}

const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0];

class OrtGemm implements NativeGemm {
  private readonly sessions = new Map<string, BindingSession>();
  constructor(
    private readonly ort: OrtBinding,
    private readonly threads: number,
    readonly description: string,
  ) {}

  matmul(a: Float32Array, aDims: readonly number[], b: Float32Array, bDims: readonly number[], out: Float32Array, transA: boolean, transB: boolean): void {
    const [batchA, ra, ca] = aDims;
    const [batchB, rb, cb] = bDims;
    const M = transA ? ca : ra;
    const N = transB ? rb : cb;
    let kind: string;
    let feedA: readonly number[];
    let feedB: readonly number[];
    let outDims: readonly number[];
    if (batchA === 1 && batchB === 1) [kind, feedA, feedB, outDims] = ['gemm', [ra, ca], [rb, cb], [M, N]];
    else if (batchB === 1 && !transA) [kind, feedA, feedB, outDims] = ['gemm', [batchA * ra, ca], [rb, cb], [batchA * M, N]]; // [batch·M, K]·[K, N]
    else [kind, feedA, feedB, outDims] = ['batched', aDims, bDims, [Math.max(batchA, batchB), M, N]];
    const session = this.session(kind, transA, transB);
    session.run({ A: tensor(a, feedA), B: tensor(b, feedB) }, { Y: tensor(out, outDims) }, {});
  }

  elementwise(key: string, build: () => OnnxModel, inputs: Readonly<Record<string, Float32Array>>, out: Float32Array): void {
    const n = out.length;
    const feeds: Record<string, BindingTensor> = {};
    for (const [name, data] of Object.entries(inputs)) feeds[name] = tensor(data, [n]);
    this.sessionFor(`elementwise:${key}`, build).run(feeds, { Y: tensor(out, [n]) }, {});
  }

  private session(kind: string, transA: boolean, transB: boolean): BindingSession {
    return this.sessionFor(`${kind}:${+transA}${+transB}`, () => (kind === 'gemm' ? gemmModel(transA, transB) : batchedModel(transA, transB)));
  }

  private sessionFor(key: string, build: () => OnnxModel): BindingSession {
    let s = this.sessions.get(key);
    if (!s) {
      const bytes = Buffer.concat(encodeOnnxModel(build()));
      s = new this.ort.binding.InferenceSession();
      s.loadModel(bytes.buffer, bytes.byteOffset, bytes.byteLength, {
        intraOpNumThreads: this.threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all', // folds a Transpose into MLAS's trans flags (FusedMatMul)
        enableCpuMemArena: true,
        // idle pool threads sleep instead of spinning, leaving the core to the wasm kernels in between
        extra: { session: { intra_op: { allow_spinning: '0' } } },
      });
      this.sessions.set(key, s);
    }
    return s;
  }
}

const tensor = (data: Float32Array, dims: readonly number[]): BindingTensor => ({ type: 'float32', dims, data, location: 'cpu' });

const model = (nodes: OnnxNode[], rank: number): OnnxModel => ({
  irVersion: 7,
  opset: 14,
  producer: 'versiflow',
  producerVersion: '1',
  graph: {
    name: 'matmul',
    initializers: [],
    nodes,
    inputs: [
      { name: 'A', type: 'float32', dims: rank === 2 ? ['a0', 'a1'] : ['a0', 'a1', 'a2'] },
      { name: 'B', type: 'float32', dims: rank === 2 ? ['b0', 'b1'] : ['b0', 'b1', 'b2'] },
    ],
    outputs: [{ name: 'Y', type: 'float32', dims: rank === 2 ? ['m', 'n'] : ['batch', 'm', 'n'] }],
  },
});

/** Y = op(A)·op(B), A and B of rank 2: one Gemm, transposes as its flags. */
const gemmModel = (transA: boolean, transB: boolean): OnnxModel =>
  model([{ op: 'Gemm', name: 'gemm', inputs: ['A', 'B'], outputs: ['Y'], attrs: { transA: { i: +transA }, transB: { i: +transB } } }], 2);

/**
 * Y = op(A)·op(B), rank 3 with batch broadcasting: onnxruntime's FusedMatMul (com.microsoft), which
 * hands the transposes to MLAS as flags (a Transpose node before a MatMul ran 5–8× slower on the
 * attention shapes: it was not fused).
 */
function batchedModel(transA: boolean, transB: boolean): OnnxModel {
  const node: OnnxNode = { op: 'FusedMatMul', domain: 'com.microsoft', name: 'matmul', inputs: ['A', 'B'], outputs: ['Y'], attrs: { transA: { i: +transA }, transB: { i: +transB }, alpha: { f: 1 } } };
  return { ...model([node], 3), domains: { 'com.microsoft': 1 } };
}

/** Every kind on a small product with integer entries (exact in float32); the first mismatch, or ''. */
function selfCheck(g: NativeGemm): string {
  const [B, M, K, N] = [2, 3, 5, 4];
  const a = Float32Array.from({ length: B * M * K }, (_, i) => (i % 7) - 3);
  const b = Float32Array.from({ length: B * K * N }, (_, i) => (i % 5) - 2);
  const want = new Float32Array(B * M * N);
  for (let z = 0; z < B; z++)
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a[z * M * K + i * K + k] * b[z * K * N + k * N + j];
        want[z * M * N + i * N + j] = s;
      }
  const tr = (x: Float32Array, batch: number, r: number, c: number): Float32Array => {
    const y = new Float32Array(x.length);
    for (let z = 0; z < batch; z++) for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) y[z * r * c + j * r + i] = x[z * r * c + i * c + j];
    return y;
  };
  for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    const aIn = ta ? tr(a, B, M, K) : a;
    const bIn = tb ? tr(b, B, K, N) : b;
    const aDims = ta ? [B, K, M] : [B, M, K];
    const bDims = tb ? [B, N, K] : [B, K, N];
    const out = new Float32Array(B * M * N);
    g.matmul(aIn, aDims, bIn, bDims, out, ta, tb); // batched
    if (out.some((v, i) => v !== want[i])) return `a batched ${ta ? 'transposed-A ' : ''}${tb ? 'transposed-B ' : ''}product came out wrong`;
    const one = new Float32Array(M * N);
    g.matmul(aIn.subarray(0, M * K), [1, ...aDims.slice(1)], bIn.subarray(0, K * N), [1, ...bDims.slice(1)], one, ta, tb); // gemm
    if (one.some((v, i) => v !== want[i])) return `a ${ta ? 'transposed-A ' : ''}${tb ? 'transposed-B ' : ''}product came out wrong`;
  }
  return '';
}
