#!/usr/bin/env bash
# Installs Mesa's lavapipe (Vulkan on the CPU) so Dawn, and with it the tfjs webgpu backend, runs on
# a machine without a GPU: the fused WGSL kernels' tests run for real. Debian bookworm: Mesa from
# bookworm-backports (22.3 lacks shaderUniformBufferArrayDynamicIndexing, which Dawn requires).
# Exit 0 when an lvp ICD is present afterwards.
set -uo pipefail
icd() { ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; }
mesa_ok() { dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null | grep -qv '^22\.'; }
if icd && mesa_ok; then exit 0; fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else echo "install-lavapipe: needs root" >&2; exit 1; fi
fi
command -v apt-get >/dev/null || { echo "install-lavapipe: no apt-get" >&2; exit 1; }
. /etc/os-release 2>/dev/null || true
if [ "${VERSION_CODENAME:-}" = bookworm ] && ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
  printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $SUDO tee /etc/apt/sources.list.d/versiflow-backports.sources >/dev/null
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null || { echo "install-lavapipe: apt-get update failed" >&2; exit 1; }
TARGET=()
[ "${VERSION_CODENAME:-}" = bookworm ] && TARGET=(-t bookworm-backports)
$SUDO apt-get install -y -qq "${TARGET[@]}" mesa-vulkan-drivers libvulkan1 >/dev/null || { echo "install-lavapipe: apt-get install failed" >&2; exit 1; }
icd && mesa_ok
