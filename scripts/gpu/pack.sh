#!/usr/bin/env bash
# Pack what an offline Linux x86-64 GPU host needs to run this project's WebGPU
# (Dawn/Vulkan) backend: a Node.js binary, the Vulkan loader and the glvnd
# libraries that NVIDIA's Vulkan driver loads. Output goes to DIR (default .gpu),
# which is git-ignored. Run from the project root, after `npm install`
# (scripts/gpu-bundle.sh runs it after bundling; scripts/gpu/README.md has the recipe).
#
#   bash scripts/gpu/pack.sh [DIR]
#
# The .debs come from the Debian archive (apt-get download); node is the one on PATH;
# Dawn is node_modules/webgpu (linux-x64 only).
# On the GPU host, from the project root:   source DIR/prelude.sh
set -euo pipefail
DIR=${1:-.gpu}
mkdir -p "$DIR/debs"
if [ ! -f "$DIR/node.xz" ]; then xz -T2 -6 -c "$(command -v node)" > "$DIR/node.xz"; fi
# The `webgpu` package ships Dawn for every platform (over 100 MB); keep Linux x64 only.
if [ -d node_modules/webgpu ] && [ ! -f "$DIR/webgpu/dawn.node.xz" ]; then
  mkdir -p "$DIR/webgpu"; cp node_modules/webgpu/index.js node_modules/webgpu/package.json "$DIR/webgpu/"
  xz -T2 -6 -c node_modules/webgpu/dist/linux-x64/dawn.node > "$DIR/webgpu/dawn.node.xz"
fi
( cd "$DIR/debs" && [ -n "$(ls *.deb 2>/dev/null)" ] || {
    apt-get update -qq >/dev/null 2>&1 || true
    apt-get download libvulkan1 libglvnd0 libglx0 libegl1 libgl1 libopengl0 2>/dev/null; } )
cat > "$DIR/prelude.sh" <<'PRE'
# Sourced on the GPU host from the project root: installs the carried libraries,
# puts the carried node first on PATH and points Vulkan at NVIDIA's driver.
_d=$(dirname "${BASH_SOURCE[0]}")
for f in "$_d"/debs/*.deb; do dpkg -x "$f" /; done; ldconfig
if [ ! -x "$_d/bin/node" ]; then mkdir -p "$_d/bin"; xz -dc "$_d/node.xz" > "$_d/bin/node"; chmod +x "$_d/bin/node"; fi
export PATH="$(cd "$_d/bin" && pwd):$PATH"
if [ -f "$_d/webgpu/dawn.node.xz" ] && [ ! -f node_modules/webgpu/dist/linux-x64/dawn.node ]; then
  mkdir -p node_modules/webgpu/dist/linux-x64; cp "$_d/webgpu/index.js" "$_d/webgpu/package.json" node_modules/webgpu/
  xz -dc "$_d/webgpu/dawn.node.xz" > node_modules/webgpu/dist/linux-x64/dawn.node
fi
export VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
export VK_ICD_FILENAMES=$VK_DRIVER_FILES XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
PRE
du -sh "$DIR"
echo "packed $DIR: copy it to the GPU host with an esbuild bundle of your entry point (webgpu marked external); node_modules in full is too large to copy (over 300 MB)."
