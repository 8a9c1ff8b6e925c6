#!/usr/bin/env bash
# Bundles bench/gpu-entry.ts (the WebGPU bench) into .gpu/app.mjs for the offline GPU host and packs
# node, Dawn and the Vulkan libraries next to it (scripts/gpu/pack.sh; recipe in scripts/gpu/README.md).
# Uses only files of this repository and its node_modules. Run from the project root.
# On the GPU host, from the project root:  source .gpu/prelude.sh && node .gpu/app.mjs
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .gpu
# The banner gives the ESM bundle the CommonJS globals that bundled CJS code (Emscripten's wasm
# loader) expects: require, __filename, __dirname.
BANNER="import { createRequire as __cr } from 'module'; import { fileURLToPath as __fu } from 'url'; import { dirname as __dn } from 'path'; const require = __cr(import.meta.url); const __filename = __fu(import.meta.url); const __dirname = __dn(__filename);"
for entry in gpu-entry:app cli-entry:cli gpu-profile:profile gpu-diagnose:diagnose matmulKernel:matmul; do
  npx esbuild "bench/${entry%%:*}.ts" --bundle --platform=node --format=esm --external:webgpu --alias:react-devtools-core=./bench/stub-devtools.ts --outfile=".gpu/${entry##*:}.mjs" \
    --log-level=warning --banner:js="$BANNER"
done
# The wasm CPU reference loads its binary from next to app.mjs; the PyTorch reference for part (d).
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm .gpu/
cp bench/torch_train_ref.py .gpu/
bash scripts/gpu/pack.sh .gpu
