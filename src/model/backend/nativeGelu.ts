import * as tf from '@tensorflow/tfjs';
import { GraphBuilder } from '../formats/onnx/graphBuilder.ts';
import type { OnnxModel, OnnxNode } from '../formats/onnx/onnxProto.ts';
import { GELU_GRAD_KERNEL, GELU_KERNEL, type GeluForm } from '../kernels/cpu/geluKernel.ts';
import type { NativeGemm } from './nativeGemm.ts';
import { heapF32, type WasmHeapBackend } from './wasmHeap.ts';

/**
 * The GELU kernels (kernels/cpu/geluKernel.ts) on the wasm backend, run by the native runtime
 * (nativeGemm.ts) on views of wasm memory: forward as onnxruntime's fused `Gelu` (erf) or `FastGelu`
 * (tanh) contrib op, one vectorised pass on its threads; backward as a small graph of elementwise
 * ops. Replaces 5–6 single-threaded wasm kernels forward and about ten backward.
 */
export function registerNativeGelu(native: NativeGemm): void {
  for (const [name, run] of [
    [GELU_KERNEL, (b: WasmHeapBackend, inputs: Record<string, tf.TensorInfo>, form: GeluForm) => elementwise(b, native, `gelu:${form}`, () => forwardModel(form), { X: inputs.x })],
    [GELU_GRAD_KERNEL, (b: WasmHeapBackend, inputs: Record<string, tf.TensorInfo>, form: GeluForm) => elementwise(b, native, `gelu_grad:${form}`, () => backwardModel(form), { DY: inputs.dy, X: inputs.x })],
  ] as const) {
    if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: ({ inputs, backend, attrs }) => run(backend as unknown as WasmHeapBackend, inputs as Record<string, tf.TensorInfo>, (attrs as unknown as { form: GeluForm }).form),
    });
  }
}

/** Y = graph(inputs), all float32 of the first input's shape, read and written in place in wasm memory. */
function elementwise(b: WasmHeapBackend, native: NativeGemm, key: string, build: () => OnnxModel, inputs: Record<string, tf.TensorInfo>): tf.TensorInfo {
  const first = Object.values(inputs)[0];
  const out = b.makeOutput(first.shape, 'float32');
  const n = first.shape.reduce((a, d) => a * d, 1);
  if (n === 0) return out;
  const feeds: Record<string, Float32Array> = {};
  for (const [k, t] of Object.entries(inputs)) feeds[k] = heapF32(b, t, n); // views after makeOutput
  native.elementwise(key, build, feeds, heapF32(b, out, n));
  return out;
}

const vector = (name: string) => ({ name, type: 'float32' as const, dims: ['n'] });

/** Y = gelu(X): onnxruntime's contrib Gelu (0.5·x·(1 + erf(x/√2))) or FastGelu (the tanh form). */
function forwardModel(form: GeluForm): OnnxModel {
  const node: OnnxNode = { op: form === 'exact' ? 'Gelu' : 'FastGelu', domain: 'com.microsoft', name: 'gelu', inputs: ['X'], outputs: ['Y'] };
  return { irVersion: 7, opset: 14, domains: { 'com.microsoft': 1 }, producer: 'versiflow', producerVersion: '1', graph: { name: 'gelu', nodes: [node], initializers: [], inputs: [vector('X')], outputs: [vector('Y')] } };
}

/**
 * Y = DY · gelu'(X).
 *   exact: gelu'(x) = Φ(x) + x·φ(x) = 0.5·(1 + erf(x/√2)) + x·e^(−x²/2)/√(2π)
 *   tanh:  u = √(2/π)·(x + 0.044715·x³), t = tanh(u):
 *          gelu'(x) = 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)
 */
function backwardModel(form: GeluForm): OnnxModel {
  const g = new GraphBuilder();
  const mul = (a: string, b: string) => g.op('Mul', [a, b]);
  const add = (a: string, b: string) => g.op('Add', [a, b]);
  const x2 = mul('X', 'X');
  let d: string;
  if (form === 'exact') {
    const cdf = mul(add(g.op('Erf', [mul('X', g.scalar(Math.SQRT1_2))]), g.scalar(1)), g.scalar(0.5));
    const pdf = mul(g.op('Exp', [mul(x2, g.scalar(-0.5))]), g.scalar(1 / Math.sqrt(2 * Math.PI)));
    d = add(cdf, mul('X', pdf));
  } else {
    const k = Math.sqrt(2 / Math.PI);
    const c = 0.044715;
    const t = g.op('Tanh', [mul('X', add(mul(x2, g.scalar(k * c)), g.scalar(k)))]);
    const dudx = add(mul(x2, g.scalar(3 * k * c)), g.scalar(k));
    const sech2 = g.op('Sub', [g.scalar(1), mul(t, t)]);
    d = add(mul(add(t, g.scalar(1)), g.scalar(0.5)), mul(mul(mul('X', g.scalar(0.5)), sech2), dudx));
  }
  g.op('Mul', ['DY', d], undefined, 'Y');
  return { irVersion: 7, opset: 14, producer: 'versiflow', producerVersion: '1', graph: g.graph('gelu_grad', [vector('DY'), vector('X')], [vector('Y')]) };
}
