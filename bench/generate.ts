import * as tf from '@tensorflow/tfjs';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { generateTokens } from '../src/model/nn/generate.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { type BenchInput, configInput, wasmBinaries } from './inputs.ts';

const PROMPT = 16;
const NEW = 64;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const CONFIGS = ['75m', 'minitron-48m'] as const;

/** What `npm run bench -- generate --check` verifies. */
export function generateInputs(): BenchInput[] {
  return [...CONFIGS.map((c) => configInput(c, 'the model shape')), ...wasmBinaries('the wasm backend')];
}

/** Tokens/s of one generation of NEW tokens after a PROMPT-token prompt (prefill included in the time). */
async function tokPerSec(name: string, cache: boolean, weights: ReturnType<typeof initWeights>, config: ReturnType<typeof resolveGptConfig>): Promise<number> {
  const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 7919) % config.vocabSize);
  const t0 = performance.now();
  let n = 0;
  for await (const _ of generateTokens({ weights, config }, prompt, { maxNewTokens: NEW, temperature: 0.8, topK: 40, seed: 1, eosIds: [], cache })) n++;
  if (n !== NEW) throw new Error(`${name}: generated ${n} tokens, expected ${NEW}`);
  return n / ((performance.now() - t0) / 1000);
}

/**
 * Generation speed at batch 1 on the wasm backend, random weights: the 75m shape (vocab 24,000)
 * and minitron-48m, with and without the KV cache, 64 new tokens after a 16-token prompt. Each
 * figure is the best of BENCH_REPEATS runs after one warm-up (the machine is shared).
 * Run: `node --import tsx bench/generate.ts`.
 */
export async function benchGenerate(): Promise<void> {
  const report = await setupBackend('wasm');
  console.log(`backend ${report.name} (${report.device}); ${PROMPT}-token prompt, ${NEW} new tokens, best of ${REPEATS}`);
  for (const [name, vocabSize] of [[CONFIGS[0], 24000], [CONFIGS[1], 0]] as const) {
    const full = loadConfig(name);
    const config = resolveGptConfig({ ...full, vocabSize: vocabSize || full.vocabSize, dropout: 0 });
    const weights = initWeights(config, 1);
    const res: Record<string, number[]> = { cached: [], uncached: [] };
    for (const cache of [true, false]) {
      await tokPerSec(name, cache, weights, config); // warm-up: kernels, tables, masks
      for (let r = 0; r < REPEATS; r++) res[cache ? 'cached' : 'uncached'].push(await tokPerSec(name, cache, weights, config));
    }
    const best = (xs: number[]) => Math.max(...xs);
    const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' ');
    console.log(
      `${name.padEnd(13)} ${(countParams(config) / 1e6).toFixed(1)}M V=${config.vocabSize}: cached ${best(res.cached).toFixed(1)} tok/s [${fmt(res.cached)}], ` +
        `uncached ${best(res.uncached).toFixed(1)} tok/s [${fmt(res.uncached)}], ratio ${(best(res.cached) / best(res.uncached)).toFixed(2)}×`,
    );
    disposeWeights(weights);
    console.log(`  tensors after: ${tf.memory().numTensors}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchGenerate();
