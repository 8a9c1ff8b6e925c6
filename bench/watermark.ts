import { pathToFileURL } from 'node:url';
import { keyedScheme } from '../src/model/watermark/keyed.ts';
import { poetruScheme } from '../src/model/watermark/poetru.ts';
import type { WatermarkScheme } from '../src/model/watermark/scheme.ts';
import type { BenchInput } from './inputs.ts';

/** What `npm run bench -- watermark --check` verifies: nothing beyond its own imports (no files read). */
export function watermarkInputs(): BenchInput[] {
  return [];
}

const V = 24000;
const TOKENS = 200;

/** ms per green-list lookup over `TOKENS` distinct contexts, first pass (cold) then again (cached). */
function time(scheme: WatermarkScheme): { cold: number; cached: number } {
  const contexts = Array.from({ length: TOKENS }, (_, i) => [(i * 7919) % V]);
  let t0 = performance.now();
  for (const c of contexts) scheme.greenList(c);
  const cold = (performance.now() - t0) / TOKENS;
  t0 = performance.now();
  for (let rep = 0; rep < 50; rep++) for (const c of contexts) scheme.greenList(c);
  const cached = (performance.now() - t0) / (50 * TOKENS);
  return { cold, cached };
}

/**
 * Green-list cost per generated token at V = 24,000: cold = seed hash + PCG64 permutation + mask,
 * cached = LRU hit. Run: `node --import tsx bench/watermark.ts`.
 */
export async function benchWatermark(): Promise<void> {
  // Warm the JIT so the cold figure measures the permutation, not compilation.
  time(poetruScheme({ vocabSize: V, cacheSize: TOKENS }));
  for (const [name, scheme] of [
    ['poetru', poetruScheme({ vocabSize: V, cacheSize: TOKENS })],
    ['keyed h=1', keyedScheme({ vocabSize: V, key: 'bench-key', cacheSize: TOKENS })],
  ] as const) {
    const { cold, cached } = time(scheme);
    console.log(`watermark ${name.padEnd(9)} V=${V}: green list cold ${cold.toFixed(3)} ms/token, cached ${(cached * 1000).toFixed(2)} µs/token`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchWatermark();
