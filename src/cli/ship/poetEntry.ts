/**
 * The entry of the single executable (`versiflow build-chat` bundles this file with esbuild into one
 * CommonJS script that Node's single-executable support runs). Reads its assets with node:sea:
 * manifest.json, model.onnx (the .ort or .onnx bytes, not copied: getRawAsset), and onnxruntime-node's native library
 * (libonnxruntime.so.1 + onnxruntime_binding.node), which is written once to a per-version cache
 * directory and loaded with process.dlopen (the binding finds the library beside it: RUNPATH $ORIGIN).
 */
import { getAsset, getRawAsset } from 'node:sea';
import { processIO } from '../io.ts';
import { nativeOrtDir } from './nativeOrtCache.ts';
import type { OrtModule } from './onnxDecoder.ts';
import { type PoetAssets, runPoet } from './poetMain.ts';
import { POET_ASSETS, type PoetManifest } from './shipManifest.ts';

declare global {
  // set before onnxruntime-node's binding module runs (build-chat rewrites its require to call this)
  var __versiflowOrtBinding: (() => unknown) | undefined;
}

const manifest = JSON.parse(getAsset(POET_ASSETS.manifest, 'utf8')) as PoetManifest;
const assets: PoetAssets = {
  manifest,
  model: () => new Uint8Array(getRawAsset(POET_ASSETS.model) as ArrayBuffer),
  async ort(): Promise<OrtModule> {
    const binding = nativeOrtDir(manifest.ortVersion, (key) => new Uint8Array(getRawAsset(key) as ArrayBuffer));
    globalThis.__versiflowOrtBinding = () => {
      const mod = { exports: {} };
      process.dlopen(mod, binding);
      return mod.exports;
    };
    const ort = (await import('onnxruntime-node')) as unknown as OrtModule & { default?: OrtModule };
    return ort.default ?? ort;
  },
};
// argv in a single executable: [exe, exe, ...args]
runPoet(process.argv.slice(2), processIO, assets).then(
  (code) => (process.exitCode = code),
  (e: unknown) => {
    processIO.stderr.write(`error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
