import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadNativeGemm } from '../../../src/model/backend/nativeGemm.ts';
import { setupBackend } from '../../../src/model/backend/setupBackend.ts';
import { registerWasmBatchMatMul } from '../../../src/model/backend/wasmBatchMatMul.ts';
import { AdamW } from '../../../src/model/nn/adamw.ts';
import { disposeWeights, initWeights } from '../../../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../../src/model/nn/gptConfig.ts';
import { gradientStep } from '../../../src/model/nn/step.ts';
import { loadConfig } from '../../../src/pipeline/loadConfig.ts';
import { randomBatch } from '../nn/tiny.ts';

/**
 * Issue #20: the wasm backend's matrix products on onnxruntime's native GEMM (cpu_matmul:
 * onnxruntime) against XNNPACK (the path before it), over 20 training steps of the tiny config at a
 * batch whose products take the native route (rows ≥ 32). Summation order differs between the two
 * GEMMs, so the losses agree to float precision, not bit for bit.
 */
function train(steps: number): number[] {
  const cfg = loadConfig('tiny');
  // tiny's architecture at the 3 × 96 size it had before issue #20 made it 4 × 128 (CI time)
  const c = resolveGptConfig({ ...cfg, vocabSize: 146, layers: Math.min(cfg.layers, 3), hidden: Math.min(cfg.hidden, 96), dropout: 0 });
  const w = initWeights(c, 5);
  const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, gradClip: 1 });
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { loss, gradNorm } = gradientStep(w, c, opt, randomBatch(c, 4, 64, 100 + (i % 4)), 3e-3, i);
    losses.push(loss.dataSync()[0]);
    tf.dispose([loss, gradNorm]);
  }
  opt.dispose();
  disposeWeights(w);
  return losses;
}

describe('wasm training on the native GEMM', () => {
  it('20 steps of tiny (4 × 64): losses equal the XNNPACK run to 1e-5 relative, and it trains', async () => {
    const native = loadNativeGemm(2);
    if ('unavailable' in native) throw new Error(native.unavailable); // a dependency of the install: not a skip
    await setupBackend('wasm', { cpuMatmul: 'xnnpack' });
    const xnnpack = train(20);
    registerWasmBatchMatMul(native);
    const onnx = train(20);
    registerWasmBatchMatMul(null);
    for (let i = 0; i < 20; i++) expect(Math.abs(onnx[i] - xnnpack[i]), `step ${i}: ${onnx[i]} vs ${xnnpack[i]}`).toBeLessThan(1e-5 * xnnpack[i]);
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(onnx.slice(16)), 'it trains: the last 4 losses against the first 4').toBeLessThan(mean(onnx.slice(0, 4)) - 0.2); // 5.02 → 4.67 when written
    expect(onnx.some((l, i) => l !== xnnpack[i])).toBe(true); // the second run did take the other engine
  }, 120_000);

  it('setupBackend reports the engine and refuses cpu_matmul: onnxruntime only when it cannot load', async () => {
    const r = await setupBackend('wasm', { cpuMatmul: 'onnxruntime' });
    expect(r.device).toMatch(/matmul: onnxruntime-node \d+\.\d+\.\d+ \(MLAS\), \d+ thread/);
    const x = await setupBackend('wasm', { cpuMatmul: 'xnnpack' });
    expect(x.device).toMatch(/matmul: wasm XNNPACK/);
  });
});
