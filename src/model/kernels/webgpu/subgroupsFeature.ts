/**
 * tfjs 4.22 creates its WebGPU device with only 'timestamp-query' and 'bgra8unorm-storage', so
 * `device.features.has('subgroups')` is false even on adapters that offer subgroups, and the matmul
 * kernel would run its plain variant. Call this after `installNavigatorGpu()` and before the webgpu
 * backend starts (the first `tf.setBackend('webgpu')`): the device is then asked for 'subgroups'
 * too, when the adapter has it. (The lead may prefer to fold this into webgpuSetup.ts's adapter proxy.)
 */
export function requestSubgroupsFeature(): void {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  const gpu = nav?.gpu;
  if (!nav || !gpu || (gpu as { __subgroups?: boolean }).__subgroups) return;
  const wrapAdapter = (a: AdapterLike | null) =>
    a &&
    new Proxy(a, {
      get(t, p) {
        if (p === 'requestDevice') {
          return (d: { requiredFeatures?: unknown[] } = {}) => {
            const req = [...(d.requiredFeatures ?? [])];
            if (t.features.has('subgroups') && !req.includes('subgroups')) req.push('subgroups');
            return t.requestDevice({ ...d, requiredFeatures: req });
          };
        }
        const v = Reflect.get(t, p) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  nav.gpu = new Proxy(gpu, {
    get(t, p) {
      if (p === '__subgroups') return true;
      if (p === 'requestAdapter') return async (o?: unknown) => wrapAdapter(await t.requestAdapter(o));
      const v = Reflect.get(t, p) as unknown;
      return typeof v === 'function' ? v.bind(t) : v;
    },
  });
}

interface AdapterLike {
  features: { has(f: string): boolean };
  requestDevice(d: unknown): Promise<unknown>;
}
interface GpuLike {
  requestAdapter(o?: unknown): Promise<AdapterLike | null>;
}
