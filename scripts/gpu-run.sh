#!/usr/bin/env bash
# The device check, one session (scripts/gpu-bundle.sh must run first, here). Logs go to $OUT.
# At most 75 + 2·60 + 300 + 60 = 555 s: run it with timeout_s 580 within the 10-minute call limit.
#   1. the CLI trains configs/tiny.yaml for 30 steps on webgpu with the fused kernels (the whole
#      pipeline: async reads, eval, sample, checkpoint)
#   2. bench/gpu-diagnose.ts on the 75M shape at batch 8, stock then fused kernels: dispatches,
#      uploads, new buffers and JavaScript recording time per phase (explains wall vs GPU time)
#   3. bench/gpu.ts: loss match vs CPU (stock and fused), embedding gradient, each fused kernel vs its
#      stock composite, 75M speed stock vs fused (plain GQA shape and configs/75m.yaml), PyTorch reference
#   4. the tiled matmul's tile settings against tfjs's kernel on the 75M shapes
set -uo pipefail
OUT=${OUT:-/tmp/vf-out}
mkdir -p "$OUT"
source .gpu/prelude.sh
# Rehearsal without a GPU: GPU_RUN_ICD=/usr/share/vulkan/icd.d/lvp_icd.json GPU_RUN_SMALL=1 (lavapipe, small shapes)
if [ -n "${GPU_RUN_ICD:-}" ]; then export VK_DRIVER_FILES=$GPU_RUN_ICD VK_ICD_FILENAMES=$GPU_RUN_ICD; fi
SHAPE=75m
if [ -n "${GPU_RUN_SMALL:-}" ]; then export BENCH_GPU_SMALL=1 MATMUL_SMALL=1; SHAPE=small; fi
echo "== 1. tiny on webgpu through the CLI (fused kernels)"
timeout 75 node .gpu/cli.mjs train --config configs/tiny.yaml --backend webgpu --max-steps 30 --log-every 5 \
  --eval-every 30 --eval-batches 4 --sample-tokens 100 --out /tmp/vf-gpu --no-ws --reporter plain --no-token-cache 2>&1 | tee "$OUT/cli.log"
echo "== 2. diagnosis, $SHAPE shape, B=8"
for k in stock fused; do
  DIAG_SHAPE=$SHAPE DIAG_BATCH=8 DIAG_KERNELS=$k timeout 60 node .gpu/diagnose.mjs 2>&1 | tee "$OUT/diagnose-$k.log"
done
echo "== 3. bench/gpu.ts"
BENCH_GPU_BUDGET_S=${BENCH_GPU_BUDGET_S:-220} timeout 300 node .gpu/app.mjs 2>&1 | tee "$OUT/bench.log"
echo "== 4. matmul tiles on the 75M shapes (bench/matmulKernel.ts)"
MATMUL_TILES=128x64x16:8x4,128x128x16:8x8,128x128x8:8x8,64x64x16:4x4 timeout 60 node .gpu/matmul.mjs 2>&1 | tee "$OUT/matmul.log"
