/**
 * The models and batches the training benches share (no side effects: bundled into the GPU app).
 * CPU_BENCH_CONFIG is issue 5's CPU config: vocab 256, hidden 128, 2 layers, 4 heads, T=64, B=8.
 */
import type { Batch } from '../src/core/batch.ts';
import { resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../src/core/config/gptConfig.ts';

export const CPU_BENCH_CONFIG = { vocabSize: 256, context: 64, layers: 2, hidden: 128, heads: 4, B: 8 } as const;

export function cpuBenchGptConfig(): GptConfig {
  const { vocabSize, context, layers, hidden, heads } = CPU_BENCH_CONFIG;
  return resolveGptConfig({ vocabSize, context, layers, hidden, heads, kvHeads: 0, headDim: 0, ffn: 0, normEps: 1e-6, ropeTheta: 10000, tied: true, dropout: 0, initStd: 0.02 });
}

/** Seeded batch `k`: x uniform over the vocab (a small LCG), y = x shifted by one. */
export function benchBatch(k: number, B: number, T: number, V: number): Batch {
  const x = new Int32Array(B * T);
  const y = new Int32Array(B * T);
  let s = (k * 2654435761 + 12345) >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 8) % V;
  for (let r = 0; r < B; r++) {
    let prev = next();
    for (let t = 0; t < T; t++) {
      const cur = next();
      x[r * T + t] = prev;
      y[r * T + t] = cur;
      prev = cur;
    }
  }
  return { B, T, x, y, mask: new Float32Array(B * T).fill(1), tokens: B * T };
}
