#!/usr/bin/env bash
# The device check, one session (see scripts/gpu-bundle.sh, which must run first, here):
#   1. the CLI trains configs/tiny.yaml for 30 steps on webgpu (the whole pipeline: async reads,
#      eval, sample, checkpoint), 2. bench/gpu.ts (loss match vs CPU, embedding gradient, 75M speed,
#      PyTorch reference). Logs go to $OUT.
set -uo pipefail
OUT=${OUT:-/tmp/vf-out}
mkdir -p "$OUT"
source .gpu/prelude.sh
echo "== 1. tiny on webgpu through the CLI"
timeout 150 node .gpu/cli.mjs train --config configs/tiny.yaml --backend webgpu --max-steps 30 --log-every 5 \
  --eval-every 30 --eval-batches 4 --sample-tokens 100 --out /tmp/vf-gpu --no-ws --reporter plain --no-token-cache 2>&1 | tee "$OUT/cli.log"
echo "== 2. bench/gpu.ts"
BENCH_GPU_BUDGET_S=${BENCH_GPU_BUDGET_S:-300} timeout 390 node .gpu/app.mjs 2>&1 | tee "$OUT/bench.log"
