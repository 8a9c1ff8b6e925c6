import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getLlama, LlamaLogLevel, type Token } from 'node-llama-cpp';
import { configToSnake } from '../src/core/config/normalizeConfig.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import type { GgufFileType } from '../src/model/formats/gguf/ggufModel.ts';
import { readTensors } from '../src/model/nn/checkpoint.ts';
import { generateTokens } from '../src/model/nn/generate.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { countParams, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { CharTokenizer } from '../src/model/tokenizer/charTokenizer.ts';
import { exportGguf } from '../src/pipeline/export/exportGguf.ts';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { saveCheckpoint } from '../src/streams/checkpoints/checkpointStore.ts';
import { type BenchInput, configInput, packageInput, wasmBinaries } from './inputs.ts';

const PROMPT = 16;
const NEW = 64;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
/** Zoo shapes: tiny (char, the default) and 25m (vocab 24,000); random weights, ids only. */
const CONFIGS = [['tiny', 0], ['25m', 24000]] as const;
const TYPES: readonly GgufFileType[] = ['f32', 'f16', 'q8_0'];

/** What `npm run bench -- gguf --check` verifies. */
export function ggufInputs(): BenchInput[] {
  return [...CONFIGS.map(([c]) => configInput(c, 'the model shape')), ...wasmBinaries('Versiflow\'s generation (wasm backend)'), packageInput('node-llama-cpp', 'llama.cpp (its prebuilt CPU binary)')];
}

const best = (xs: number[]) => Math.max(...xs);

/**
 * Greedy generation speed of the same model in llama.cpp (node-llama-cpp 3.21.1, prebuilt CPU
 * binary, 1 thread) and in Versiflow (wasm backend, 1 XNNPACK thread, KV cache): NEW tokens after a
 * PROMPT-token prompt, prefill included, best of BENCH_REPEATS after one warm-up; the tiny and 25m
 * shapes with random weights, each GGUF type. Prints tok/s and llama.cpp / Versiflow, and how many
 * of the greedy ids agree with Versiflow's. Run: `npm run bench -- gguf`.
 */
export async function benchGguf(): Promise<void> {
  const report = await setupBackend('wasm');
  const llama = await getLlama({ gpu: false, build: 'never', usePrebuiltBinaries: true, skipDownload: true, logLevel: LlamaLogLevel.error, progressLogs: false });
  console.log(`Versiflow: backend ${report.name} (${report.device}); llama.cpp: node-llama-cpp CPU, 1 thread; ${PROMPT}-token prompt, ${NEW} new tokens, greedy, best of ${REPEATS}`);
  for (const [name, vocab] of CONFIGS) {
    const full = loadConfig(name, { dropout: 0 });
    const chars = Array.from({ length: 64 }, (_, i) => String.fromCodePoint(0x430 + i));
    const tokenizer = new CharTokenizer(chars);
    const config = { ...full, vocabSize: vocab || tokenizer.vocabSize };
    const gpt = resolveGptConfig(config);
    const weights = initWeights(gpt, 1);
    const dir = mkdtempSync(join(tmpdir(), 'versiflow-bench-gguf-'));
    try {
      const { path } = await saveCheckpoint(dir, {
        model: await readTensors(weights),
        optimizer: [],
        tokenizer: tokenizer.toJSON(),
        state: {
          format: 'versiflow-checkpoint', step: 0, epoch: 0, config: { ...configToSnake(config), vocab_size: gpt.vocabSize },
          data: { seed: 1, step: 0, trainExamples: 0 }, optimizerStep: 0, bestValLoss: null,
          tokenizerHash: tokenizer.hash, params: countParams(gpt), savedAt: new Date(0).toISOString(),
        },
      });
      const prompt = Array.from({ length: PROMPT }, (_, i) => 3 + ((i * 7919) % (gpt.vocabSize - 3)));
      const ours = async () => {
        const ids: number[] = [];
        const t0 = performance.now();
        for await (const t of generateTokens({ weights, config: gpt }, prompt, { maxNewTokens: NEW, temperature: 0, topK: 0, eosIds: [] })) ids.push(t.id);
        return { ids, tps: ids.length / ((performance.now() - t0) / 1000) };
      };
      await ours();
      const vf = [];
      for (let r = 0; r < REPEATS; r++) vf.push(await ours());
      const vfBest = best(vf.map((x) => x.tps));
      console.log(`${name.padEnd(5)} ${(countParams(gpt) / 1e6).toFixed(2)}M params, V=${gpt.vocabSize}: Versiflow wasm ${vfBest.toFixed(1)} tok/s [${vf.map((x) => x.tps.toFixed(1)).join(' ')}]`);
      for (const type of TYPES) {
        const r = await exportGguf({ checkpoint: path, out: join(dir, 'gguf'), type });
        const model = await llama.loadModel({ modelPath: r.file });
        const ctx = await model.createContext({ contextSize: Math.min(gpt.context, 2048), threads: 1 });
        const seq = ctx.getSequence();
        const theirs = async () => {
          await seq.clearHistory();
          const ids: number[] = [];
          const t0 = performance.now();
          for await (const t of seq.evaluate(prompt as Token[], { temperature: 0, yieldEogToken: true })) {
            ids.push(t);
            if (ids.length >= NEW) break;
          }
          return { ids, tps: ids.length / ((performance.now() - t0) / 1000) };
        };
        await theirs();
        const lc = [];
        for (let i = 0; i < REPEATS; i++) lc.push(await theirs());
        let same = 0;
        while (same < NEW && lc[0].ids[same] === vf[0].ids[same]) same++;
        const lcBest = best(lc.map((x) => x.tps));
        console.log(
          `  llama.cpp ${type.padEnd(4)} ${(r.bytes / 2 ** 20).toFixed(1).padStart(6)} MiB: ${lcBest.toFixed(1)} tok/s [${lc.map((x) => x.tps.toFixed(1)).join(' ')}], ` +
            `${(lcBest / vfBest).toFixed(2)}× Versiflow; greedy ids equal for the first ${same} of ${NEW}`,
        );
        await ctx.dispose();
        await model.dispose();
      }
    } finally {
      disposeWeights(weights);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await llama.dispose();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchGguf();
