#!/usr/bin/env bash
# The device check, one session (scripts/gpu-bundle.sh must run first, here). Logs go to $OUT.
# Most wanted first, at most 330 + 60 + 60 + 2·45 = 540 s (step 5, asked for only, 300 s more): run it with timeout_s 570 within the
# 10-minute call limit.
#   1. bench/gpu.ts: loss match vs CPU (stock and fused), embedding gradient, configs/75m.yaml speed with
#      kernels: auto (the target), the plain 75M shape and PyTorch on the same card, the stock
#      baselines, each fused kernel vs its stock composite, fused without autotuning
#   2. the CLI trains configs/tiny.yaml for 30 steps on webgpu (the whole pipeline: autotune, async
#      reads, eval, sample, checkpoint)
#   3. the tiled matmul's tile settings against tfjs's kernel on the 75M shapes
#   4. bench/gpu-diagnose.ts on the 75M shape at batch 8, fused then stock kernels: dispatches,
#      uploads, new buffers and JavaScript recording time per phase (explains wall vs GPU time)
set -uo pipefail
OUT=${OUT:-/tmp/vf-out}
mkdir -p "$OUT"
source .gpu/prelude.sh
# Rehearsal without a GPU: GPU_RUN_ICD=/usr/share/vulkan/icd.d/lvp_icd.json GPU_RUN_SMALL=1 (lavapipe, small shapes)
if [ -n "${GPU_RUN_ICD:-}" ]; then export VK_DRIVER_FILES=$GPU_RUN_ICD VK_ICD_FILENAMES=$GPU_RUN_ICD; fi
SHAPE=75m
# GPU_RUN_STEPS="1 2" runs only those steps (a follow-up call after a change)
STEPS=${GPU_RUN_STEPS:-1 2 3 4}
want() { [[ " $STEPS " == *" $1 "* ]]; }
if [ -n "${GPU_RUN_SMALL:-}" ]; then export BENCH_GPU_SMALL=1 MATMUL_SMALL=1; SHAPE=small; fi
want 1 && { echo "== 1. bench/gpu.ts"
BENCH_GPU_BUDGET_S=${BENCH_GPU_BUDGET_S:-260} timeout 330 node .gpu/app.mjs 2>&1 | tee "$OUT/bench.log"; }
want 2 && { echo "== 2. tiny on webgpu through the CLI"
timeout 60 node .gpu/cli.mjs train --config configs/tiny.yaml --backend webgpu --max-steps 30 --log-every 5 \
  --eval-every 30 --eval-batches 4 --sample-tokens 100 --out /tmp/vf-gpu --no-ws --reporter plain --no-token-cache 2>&1 | tee "$OUT/cli.log"; }
want 3 && { echo "== 3. matmul tiles on the $SHAPE shapes (bench/matmulKernel.ts)"
MATMUL_TILES=128x64x16:8x4,128x128x16:8x8,128x128x8:8x8,64x64x16:4x4 timeout 60 node .gpu/matmul.mjs 2>&1 | tee "$OUT/matmul.log"; }
want 4 && echo "== 4. diagnosis, $SHAPE shape, B=8"
want 4 && for k in fused stock; do
  DIAG_SHAPE=$SHAPE DIAG_BATCH=8 DIAG_KERNELS=$k timeout 45 node .gpu/diagnose.mjs 2>&1 | tee "$OUT/diagnose-$k.log"
done
# 5 (asked for only): `npm start -- --config 75m.yaml` itself, 20 steps without dropout (so runs on the
# same batches give the same losses): as configured (group_by_length 8, trim_padding), the same batches
# padded to 512 (--no-trim-padding: the losses must match), and plain shuffled batches padded to 512 (the
# recipe before either). Carry runs/poetru-75m/tokenizer.json too (else the 24k BPE is trained at start).
if want 5; then
  for v in "configured:" "padded:--no-trim-padding" "plain:--no-trim-padding --group-by-length 0"; do
    echo "== 5. configs/75m.yaml through the CLI, 20 steps, ${v%%:*} (${v#*:})"
    timeout 100 node .gpu/cli.mjs train --config configs/75m.yaml --backend webgpu --max-steps 20 --log-every 5 --dropout 0 ${v#*:} \
      --eval-every 20 --eval-batches 2 --sample-tokens 40 --out /tmp/vf-75m-${v%%:*} --no-ws --reporter plain 2>&1 | tee "$OUT/cli-75m-${v%%:*}.log"
  done
fi
exit 0
