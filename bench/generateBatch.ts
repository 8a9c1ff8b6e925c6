import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { generateTokens } from '../src/model/nn/generate.ts';
import { generateMany } from '../src/model/nn/generateBatch.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import type { GptConfig } from '../src/core/config/gptConfig.ts';
import { type BenchInput, configInput, wasmBinaries } from './inputs.ts';

const PROMPTS = 8;
const PROMPT = 16;
const NEW = 32;
const BATCHES = [2, 4, 8] as const;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 2);
/** Config name → vocabulary (0 = the config's own; tiny is char-level on the shipped corpus, about 160 symbols). */
const CONFIGS: readonly (readonly [string, number])[] = [
  ['tiny', 160],
  ['75m', 24000],
];

/** What `npm run bench -- generate-batch --check` verifies. */
export function generateBatchInputs(): BenchInput[] {
  return [...CONFIGS.map(([c]) => configInput(c, 'the model shape')), ...wasmBinaries('the wasm backend')];
}

const prompts = (c: GptConfig) => Array.from({ length: PROMPTS }, (_, p) => Array.from({ length: PROMPT }, (_, i) => (p * 31 + i * 7919) % c.vocabSize));
const SAMPLING = { maxNewTokens: NEW, temperature: 0.8, topK: 40, eosIds: [] as number[] };

/** Tokens/s of PROMPTS generations one at a time through generateTokens (the streaming path), prefill included. */
async function oneAtATime(weights: ReturnType<typeof initWeights>, config: GptConfig): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for (const [i, p] of prompts(config).entries()) for await (const _ of generateTokens({ weights, config }, p, { ...SAMPLING, seed: 1 + i })) n++;
  if (n !== PROMPTS * NEW) throw new Error(`generated ${n} tokens, expected ${PROMPTS * NEW}`);
  return n / ((performance.now() - t0) / 1000);
}

/** Tokens/s of the same generations, `batchSize` rows per forward pass (generateMany). */
async function batched(weights: ReturnType<typeof initWeights>, config: GptConfig, batchSize: number): Promise<number> {
  const t0 = performance.now();
  const gens = await generateMany({ weights, config }, prompts(config), { ...SAMPLING, seed: 1, batchSize });
  const n = gens.reduce((s, g) => s + g.ids.length, 0);
  if (n !== PROMPTS * NEW) throw new Error(`generated ${n} tokens, expected ${PROMPTS * NEW}`);
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Batched decoding against one-at-a-time generation on the wasm backend, random weights: PROMPTS
 * prompts of PROMPT tokens, NEW new tokens each, for the tiny config (char vocabulary) and the
 * Poetru-75M shape (V 24,000). One-at-a-time = generateTokens per prompt (batch 1, KV cache); batched =
 * generateMany with 2, 4, 8 rows per forward pass. Best of BENCH_REPEATS after one warm-up each.
 * Run: `npm run bench -- generate-batch`.
 */
export async function benchGenerateBatch(): Promise<void> {
  const report = await setupBackend('wasm');
  console.log(`backend ${report.name} (${report.device}); ${PROMPTS} prompts of ${PROMPT} tokens, ${NEW} new tokens each, best of ${REPEATS}`);
  for (const [name, vocabSize] of CONFIGS) {
    const full = loadConfig(name);
    const config = resolveGptConfig({ ...full, vocabSize: vocabSize || full.vocabSize, dropout: 0 });
    const weights = initWeights(config, 1);
    const best = async (f: () => Promise<number>) => {
      await f(); // warm-up: kernels, tables, masks
      let b = 0;
      for (let r = 0; r < REPEATS; r++) b = Math.max(b, await f());
      return b;
    };
    const single = await best(() => oneAtATime(weights, config));
    const parts = [`one at a time ${single.toFixed(1)} tok/s`];
    for (const B of BATCHES) {
      const t = await best(() => batched(weights, config, B));
      parts.push(`batch ${B} ${t.toFixed(1)} tok/s (${(t / single).toFixed(2)}×)`);
    }
    console.log(`${name.padEnd(5)} ${(countParams(config) / 1e6).toFixed(2)}M V=${config.vocabSize}: ${parts.join(', ')}`);
    disposeWeights(weights);
    console.log(`  tensors after: ${tf.memory().numTensors}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchGenerateBatch();
