/**
 * Padding benchmark: training on one-poem-per-row batches (layout truncate, context 512, as
 * configs/75m.yaml) with plain shuffled batches padded to the context, against batches grouped by
 * length (group_by_length 8) and trimmed to their longest row (trim_padding), in one process on the
 * default CPU backend (wasm). It also runs the grouped batches padded, to show trimming gives the same
 * losses. The model is 75m.yaml's architecture made narrow (2 layers of 128) with a 2k BPE trained on
 * ru_poetry here, so a step takes well under a second on 2 cores.
 * Run: `npm run bench -- padding`.
 */
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../src/pipeline/loadConfig.ts';
import { AdamW } from '../src/model/nn/adamw.ts';
import { setupBackend } from '../src/model/backend/setupBackend.ts';
import { TRIM_MULTIPLE } from '../src/model/nn/batch.ts';
import { disposeWeights, initWeights } from '../src/model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../src/model/nn/gptConfig.ts';
import { gradientStep } from '../src/model/nn/step.ts';
import { prepareData, resolveTokenizer } from '../src/pipeline/data/prepareData.ts';
import { batchSchedule } from '../src/streams/sources/batchSchedule.ts';
import { benchDataDir, type BenchInput, configInput, corpusFile, wasmBinaries } from './inputs.ts';

const CORPUS = 'ru_poetry.parquet'; // under data/, or BENCH_DATA_DIR
const STEPS = Number(process.env.BENCH_PADDING_STEPS ?? 12);
const WARMUP = 2;

/** What `npm run bench -- padding --check` verifies. */
export function paddingInputs(): BenchInput[] {
  return [corpusFile(CORPUS, 'one poem per row'), configInput('75m', 'the architecture (made narrow)'), ...wasmBinaries('the wasm backend')];
}

export async function benchPadding(log: (s: string) => void = (s) => process.stdout.write(s + '\n')): Promise<void> {
  const DATA = join(benchDataDir(), CORPUS);
  const dir = mkdtempSync(join(tmpdir(), 'versiflow-bench-padding-'));
  try {
    await setupBackend('wasm');
    const cfg = loadConfig('75m', {
      data: DATA, tokenizer: join(dir, 'bpe2k.json'), vocab_size: 2048, cache_dir: join(dir, 'tokens'),
      layers: 2, hidden: 128, heads: 4, kv_heads: 2, head_dim: 32, kv_latent: 128, ffn: 256, batch_size: 16, dropout: 0,
    });
    const { tokenizer } = await resolveTokenizer(cfg);
    const data = await prepareData(cfg, tokenizer);
    const c = resolveGptConfig({ ...cfg, vocabSize: tokenizer.vocabSize });
    log(`padding: ${data.train.length} poems of ≤ ${cfg.context} tokens (${data.trainTokens} tokens), batch ${cfg.batchSize}, ${c.layers}×${c.hidden} model, vocab ${c.vocabSize}, wasm`);
    const run = (label: string, groupByLength: number, trimTo: number) => {
      const w = initWeights(c, 1);
      const opt = new AdamW(w, new Set(paramSpecs(c).filter((s) => s.decay).map((s) => s.name)), { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.01, gradClip: 1 });
      return { label, groupByLength, trimTo, w, opt };
    };
    const variants = [run('plain, padded to 512', 0, 0), run('grouped, padded to 512', 8, 0), run('grouped, trimmed', 8, TRIM_MULTIPLE)];
    const results: { label: string; tokPerSec: number; msPerStep: number; meanT: number; losses: number[] }[] = [];
    for (const v of variants) {
      const losses: number[] = [];
      let tokens = 0;
      let rows = 0;
      let t0 = 0;
      let sumT = 0;
      for (const s of batchSchedule(data.train, { batchSize: cfg.batchSize, seed: cfg.seed, startStep: 0, totalSteps: WARMUP + STEPS, groupByLength: v.groupByLength, trimTo: v.trimTo })) {
        if (s.step === WARMUP + 1) t0 = performance.now();
        const r = gradientStep(v.w, c, v.opt, s.batch, cfg.lr, s.step);
        losses.push((await r.loss.data())[0]);
        tf.dispose([r.loss, r.gradNorm]);
        if (s.step > WARMUP) {
          tokens += s.batch.tokens;
          rows += s.batch.B;
          sumT += s.batch.T * s.batch.B;
        }
      }
      const sec = (performance.now() - t0) / 1000;
      results.push({ label: v.label, tokPerSec: tokens / sec, msPerStep: (1000 * sec) / STEPS, meanT: sumT / rows, losses });
      disposeWeights(v.w);
      v.opt.dispose();
    }
    for (const r of results) log(`padding: ${r.label.padEnd(24)} ${r.tokPerSec.toFixed(0).padStart(6)} counted tok/s, ${r.msPerStep.toFixed(0)} ms/step, mean row length ${r.meanT.toFixed(0)}`);
    const [plain, padded, trimmed] = results;
    const same = Math.max(...trimmed.losses.map((l, i) => Math.abs(l - padded.losses[i]) / Math.abs(padded.losses[i])));
    log(`padding: grouped + trimmed / plain = ${(trimmed.tokPerSec / plain.tokPerSec).toFixed(2)}x tokens/s; trimmed vs padded (same batches): max relative loss difference ${same.toExponential(2)} over ${trimmed.losses.length} steps`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchPadding();
