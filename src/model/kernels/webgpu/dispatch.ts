import * as tf from '@tensorflow/tfjs';

/**
 * Records a hand-written WGSL compute kernel into the tfjs WebGPU backend's own command stream, so
 * it runs in order with tfjs's kernels and shares its buffer pool, without tfjs's program generator.
 * The generator allows one output and read-only inputs; the fused kernels need several outputs
 * (attention: output and log-sum-exp) and in-place updates (AdamW: parameter and both moments in one
 * pass), so they bind their buffers themselves:
 *   @group(0) @binding(0..)  the `bindings` in order, each `read` or `read_write` storage
 *   @group(0) @binding(n)    a uniform block (the `uniforms` bytes), when given
 * Relies on tfjs-backend-webgpu 4.22's backend fields (checked once, with a clear error if absent).
 */

export type Binding = { readonly tensor: tf.TensorInfo; readonly access: 'read' | 'read_write' };

export interface KernelCall {
  /** Pipeline cache key (the WGSL source is compiled once per key). */
  readonly key: string;
  readonly code: () => string;
  readonly bindings: readonly Binding[];
  /** Uniform block bytes (a multiple of 16), or none. */
  readonly uniforms?: ArrayBuffer;
  /** Workgroups in x, y, z. */
  readonly workgroups: readonly [number, number?, number?];
}

/** The parts of tfjs-backend-webgpu 4.22's WebGPUBackend this module uses. */
interface WebgpuBackendInternals {
  device: GPUDevice;
  queue: GPUQueue;
  tensorMap: { get(id: object): { resource?: unknown; refCount: number; values?: unknown } };
  bufferManager: { acquireBuffer(size: number, usage: number): GPUBuffer };
  commandEncoder: GPUCommandEncoder | null;
  computePassEncoder: GPUComputePassEncoder | null;
  commandQueueOwnedIds: WeakSet<object>;
  uniformPendingDisposal: GPUBuffer[];
  dispatchCountInPass: number;
  /** Set while tf.time / tf.profile run: each dispatch gets its own timed pass. */
  activeTimers?: { name: string; query: Promise<number> }[] | null;
  supportTimestampQuery: boolean;
  querySet: GPUQuerySet | null;
  querySetCount: number;
  getQueryTime(): Promise<number>;
  uploadToGPU(id: object): void;
  makeTensorInfo(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  ensureCommandEncoderReady(): void;
  endComputePassEncoder(): void;
  submitQueue(): void;
}

const pipelines = new WeakMap<GPUDevice, Map<string, GPUComputePipeline>>();
const checked = new WeakSet<object>();

/** The tfjs backend `b` seen through the fields this module needs; throws if tfjs changed them. */
export function webgpuInternals(b: tf.KernelBackend): WebgpuBackendInternals {
  const be = b as unknown as WebgpuBackendInternals;
  if (!checked.has(be)) {
    const need = ['device', 'queue', 'tensorMap', 'bufferManager', 'commandQueueOwnedIds', 'uniformPendingDisposal', 'uploadToGPU', 'makeTensorInfo', 'ensureCommandEncoderReady', 'endComputePassEncoder', 'submitQueue'];
    const missing = need.filter((k) => (be as unknown as Record<string, unknown>)[k] === undefined);
    if (missing.length) throw new Error(`fused WebGPU kernels need tfjs-backend-webgpu 4.22's backend fields; missing: ${missing.join(', ')} (use kernels: stock)`);
    checked.add(be);
  }
  return be;
}

/** A new output tensor of the backend, its GPU buffer allocated (contents undefined). */
export function allocOutput(b: tf.KernelBackend, shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
  const be = webgpuInternals(b);
  const t = be.makeTensorInfo(shape, dtype);
  be.uploadToGPU(t.dataId);
  return t;
}

/** Records one dispatch of `call` on backend `b` (no submit unless tfjs's batch is full). */
export function runKernel(b: tf.KernelBackend, call: KernelCall): void {
  const be = webgpuInternals(b);
  const limit = be.device.limits.maxStorageBufferBindingSize;
  const entries: GPUBindGroupEntry[] = call.bindings.map((x, i) => {
    be.uploadToGPU(x.tensor.dataId);
    const res = be.tensorMap.get(x.tensor.dataId).resource as GPUBuffer;
    if (res.size > limit) {
      throw new Error(`${call.key}: a [${x.tensor.shape.join(', ')}] tensor (${res.size} bytes) is over this GPU's storage binding limit (${limit} bytes); use a smaller batch_size or micro_batch`);
    }
    return { binding: i, resource: { buffer: res } };
  });
  if (call.uniforms) {
    const u = be.bufferManager.acquireBuffer(call.uniforms.byteLength, GPUBufferUsage.COPY_DST | GPUBufferUsage.UNIFORM);
    be.queue.writeBuffer(u, 0, call.uniforms);
    be.uniformPendingDisposal.push(u);
    entries.push({ binding: entries.length, resource: { buffer: u } });
  }
  const pipeline = pipelineFor(be.device, call);
  for (const x of call.bindings) {
    be.commandQueueOwnedIds.add(x.tensor.dataId);
    // tfjs keeps a CPU copy of a tensor once read (tensorData.values) and returns it on later reads:
    // a kernel that writes the buffer in place makes that copy stale, so drop it
    if (x.access === 'read_write') be.tensorMap.get(x.tensor.dataId).values = null;
  }
  const bindGroup = be.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
  be.ensureCommandEncoderReady();
  // Under tf.time / tf.profile, tfjs gives each dispatch its own pass with timestamps and collects the
  // times: do the same, so the fused kernels' GPU time is counted (named by pipeline key).
  const timed = be.activeTimers != null && be.supportTimestampQuery;
  if (be.activeTimers != null) be.endComputePassEncoder();
  if (timed) {
    be.querySet ??= be.device.createQuerySet({ type: 'timestamp', count: be.querySetCount });
    be.computePassEncoder = be.commandEncoder!.beginComputePass({ timestampWrites: { querySet: be.querySet, beginningOfPassWriteIndex: 0, endOfPassWriteIndex: 1 } });
  } else if (!be.computePassEncoder) be.computePassEncoder = be.commandEncoder!.beginComputePass({});
  const pass = be.computePassEncoder!;
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x, y = 1, z = 1] = call.workgroups;
  pass.dispatchWorkgroups(x, y, z);
  be.dispatchCountInPass++;
  if (timed) {
    be.endComputePassEncoder();
    be.activeTimers!.push({ name: call.key, query: be.getQueryTime() }); // resolves the queries and submits
  } else if (be.activeTimers != null || (tf.env().get('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE') as number) <= be.dispatchCountInPass) {
    be.endComputePassEncoder();
    be.submitQueue();
  }
}

function pipelineFor(device: GPUDevice, call: KernelCall): GPUComputePipeline {
  let byKey = pipelines.get(device);
  if (!byKey) pipelines.set(device, (byKey = new Map()));
  let p = byKey.get(call.key);
  if (!p) {
    const module = device.createShaderModule({ code: call.code(), label: call.key });
    p = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label: call.key });
    byKey.set(call.key, p);
  }
  return p;
}

/** Largest workgroup count per dispatch dimension WebGPU guarantees. */
export const MAX_GROUPS_PER_DIM = 65535;

/** Spreads `n` workgroups over x and y (each ≤ 65535); kernels linearise with `wid.y * nwg.x + wid.x`. */
export function grid(n: number): [number, number] {
  if (n <= MAX_GROUPS_PER_DIM) return [Math.max(1, n), 1];
  const y = Math.ceil(n / MAX_GROUPS_PER_DIM);
  return [Math.ceil(n / y), y];
}

/** Uniform block of 32-bit fields in order (u32 for integers given as `{ u: n }`, f32 otherwise), padded to 16 bytes. */
export function uniformBytes(fields: readonly (number | { u: number })[]): ArrayBuffer {
  const buf = new ArrayBuffer(Math.max(16, Math.ceil((fields.length * 4) / 16) * 16));
  const dv = new DataView(buf);
  fields.forEach((f, i) => {
    if (typeof f === 'number') dv.setFloat32(i * 4, f, true);
    else dv.setUint32(i * 4, f.u, true);
  });
  return buf;
}
