import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
/**
 * Makes the tfjs WebGPU backend usable in Node through Dawn (the `webgpu` npm package).
 * Order matters: `navigator.gpu` must exist before `@tensorflow/tfjs-backend-webgpu` is imported,
 * since that module registers the backend only if it sees a GPU at import time.
 * tfjs 4.22 may pass `requiredFeatures` as a nested array; Dawn rejects that, so the adapter is
 * wrapped to flatten it and keep only features the adapter has.
 */
export async function installNavigatorGpu(opts: { allowSoftware?: boolean } = {}): Promise<void> {
  if (process.platform === 'linux' && !hasVulkanLoader()) throw new Error('no Vulkan loader (libvulkan.so.1) on this machine');
  // without a GPU device node only a software adapter could answer: skip loading Dawn at all
  if (!opts.allowSoftware && process.platform === 'linux' && !hasGpuDeviceNode()) throw new Error('no GPU device (/dev/nvidia*, /dev/dri/renderD*, /dev/dxg); --backend webgpu tries anyway');
  const g = globalThis as { navigator?: { gpu?: GPULike } };
  if (g.navigator?.gpu) {
    if (!opts.allowSoftware) rejectSoftware(await g.navigator.gpu.requestAdapter());
    return;
  }
  // Optional dependency: absent → the import throws and `auto` moves on.
  const mod = (await import('webgpu' as string)) as { create(flags: string[]): GPULike; globals: Record<string, unknown> };
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  // Without an adapter tfjs would print a long failure; say why and let `auto` move on.
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('no WebGPU adapter (is a Vulkan driver installed?)');
  if (!opts.allowSoftware) rejectSoftware(adapter);
  const wrapAdapter = (a: AdapterLike | null) =>
    a &&
    new Proxy(a, {
      get(t, p) {
        if (p === 'requestDevice') {
          return (d: { requiredFeatures?: unknown[] } = {}) =>
            // tfjs asks for timestamp-query and bgra8unorm-storage only; the fused kernels also use subgroups
            t.requestDevice({ ...d, requiredFeatures: [...new Set([...(d.requiredFeatures ?? []).flat(4), 'subgroups'])].filter((f) => t.features.has(f as string)) });
        }
        const v = Reflect.get(t, p) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    });
  const nav = {
    gpu: new Proxy(gpu, {
      get(t, p) {
        if (p === 'requestAdapter') return async (o?: unknown) => wrapAdapter(await t.requestAdapter(o));
        const v = Reflect.get(t, p) as unknown;
        return typeof v === 'function' ? v.bind(t) : v;
      },
    }),
  };
  // On Node ≥ 21 `navigator` is a getter; defineProperty works on every version.
  Object.defineProperty(globalThis, 'navigator', { value: nav, configurable: true, writable: true });
}

interface AdapterLike {
  features: { has(f: string): boolean };
  requestDevice(d: unknown): Promise<unknown>;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}
interface GPULike {
  requestAdapter(o?: unknown): Promise<AdapterLike | null>;
}

/** A CPU-emulated adapter (Mesa lavapipe/llvmpipe, SwiftShader) cannot beat wasm: `auto` skips it. */
export function isSoftwareAdapter(info: AdapterLike['info']): boolean {
  const text = [info?.vendor, info?.architecture, info?.device, info?.description].join(' ').toLowerCase();
  return info?.architecture === 'software' || /llvmpipe|lavapipe|swiftshader/.test(text);
}

function rejectSoftware(adapter: AdapterLike | null): void {
  if (adapter && isSoftwareAdapter(adapter.info)) {
    throw new Error(`the WebGPU adapter is CPU-emulated (${adapter.info?.description ?? adapter.info?.device}); wasm is faster here (--backend webgpu uses it anyway)`);
  }
}

/** Vendor/device line of the adapter tfjs got, for the run report. */
export async function describeWebgpuAdapter(): Promise<string> {
  const g = globalThis as unknown as { navigator?: { gpu?: GPULike } };
  const adapter = await g.navigator?.gpu?.requestAdapter();
  const info = adapter?.info;
  if (!info) return 'WebGPU adapter (no info)';
  return [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') || 'WebGPU adapter';
}

/** A GPU's device node on Linux: NVIDIA's driver, a DRM render node (AMD, Intel, others) or WSL2's /dev/dxg. */
function hasGpuDeviceNode(): boolean {
  if (['/dev/nvidiactl', '/dev/nvidia0', '/dev/dxg'].some((p) => existsSync(p))) return true;
  try {
    return readdirSync('/dev/dri').some((n) => n.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Dawn prints a native warning when it cannot load Vulkan; look for the loader first. */
function hasVulkanLoader(): boolean {
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.some((d) => existsSync(join(d, 'libvulkan.so.1')));
}
