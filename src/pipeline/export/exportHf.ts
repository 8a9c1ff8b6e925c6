import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { configToSnake, normalizeConfig } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { type GenerationSampling, generationConfigJson, hfConfigJson } from '../../model/formats/hf/hfConfig.ts';
import { type HfArch, type HfFamily } from '../../model/formats/hf/hfFamily.ts';
import { hfTokenizerJson, specialIdsOf, specialTokensMap, tokenizerConfigJson } from '../../model/formats/hf/hfTokenizer.ts';
import { modelCard, runMetrics } from '../../model/formats/hf/modelCard.ts';
import { encodeSafetensors } from '../../model/formats/safetensors.ts';
import { countParams } from '../../model/nn/gptConfig.ts';
import { loadExportSource } from './exportSource.ts';
import { readRecommendedDecoding, recommendedDecodingPath } from '../recommendedDecoding.ts';

export interface ExportHfOptions {
  /** A checkpoint directory, or a run directory (its newest good checkpoint). */
  readonly checkpoint: string;
  readonly out: string;
  /** Model-card languages (ISO 639-1); default: inferred from a shipped corpus's file name. */
  readonly language?: readonly string[];
  /** @default 'mit' */
  readonly license?: string;
  /** Model-card datasets; default: the corpus file's name (karpathy/tiny_shakespeare for tinyshakespeare). */
  readonly datasets?: readonly string[];
  /** Write into a non-empty `out`. @default false */
  readonly force?: boolean;
}

export interface ExportHfResult {
  readonly checkpoint: string;
  readonly out: string;
  readonly family: HfFamily;
  readonly files: readonly string[];
  /** How the weights' form changed (folds, permutations, zero biases). */
  readonly notes: readonly string[];
  readonly params: number;
  readonly exportedParams: number;
  readonly warnings: readonly string[];
}

/** Languages of the shipped corpora, by file-name stem. */
const CORPUS_LANGUAGE: Readonly<Record<string, string>> = { ru_poetry: 'ru', fr_poetry: 'fr', en_poetry: 'en', tinyshakespeare: 'en' };
const CORPUS_DATASET: Readonly<Record<string, string>> = { tinyshakespeare: 'karpathy/tiny_shakespeare' };

const corpusStem = (data: string): string => basename(data).replace(/\.(parquet|jsonl|txt)$/, '');

/**
 * `versiflow export --format hf`: a checkpoint → a Hugging Face Transformers folder (model.safetensors
 * with Transformers' names and layouts, config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json, special_tokens_map.json, README.md). Throws a ConfigError naming the keys
 * when the architecture has no faithful Transformers class. Needs no tensor backend.
 */
export async function exportHf(o: ExportHfOptions): Promise<ExportHfResult> {
  const { dir, checkpoint: ck, config, tokenizer, gpt, family, tensors } = await loadExportSource(o.checkpoint, 'hf');
  const stem = corpusStem(config.data);
  const language = o.language?.length ? o.language : CORPUS_LANGUAGE[stem] ? [CORPUS_LANGUAGE[stem]] : null;
  if (!language) throw new ConfigError(`export: the corpus language cannot be inferred from data "${config.data}": pass --language CODE (ISO 639-1, e.g. en)`);

  const out = resolve(o.out);
  if (existsSync(out) && (await readdir(out)).length > 0 && !o.force) throw new ConfigError(`export: ${out} is not empty; choose another --out or pass --force to overwrite its files`);
  await mkdir(out, { recursive: true });

  const ids = specialIdsOf(tokenizer);
  const tokJson = hfTokenizerJson(tokenizer);
  const exportedParams = tensors.reduce((n, t) => n + t.data.length, 0);
  const params = countParams(gpt);
  const notes = exportNotes(family, gpt);
  const runDir = basename(dirname(dir)) === 'checkpoints' ? dirname(dirname(dir)) : null;
  const readIf = async (f: string) => (runDir && existsSync(join(runDir, f)) ? readFile(join(runDir, f), 'utf8') : undefined);
  const metrics = runMetrics(ck.state.step, { historyCsv: await readIf('history.csv'), metricsJsonl: await readIf('metrics.jsonl') });
  const card = modelCard({
    name: config.name,
    family,
    arch: gpt,
    params,
    exportedParams,
    step: ck.state.step,
    config: { ...configToSnake(config), vocab_size: gpt.vocabSize },
    tokenizer: { kind: tokenizer.kind, vocabSize: tokenizer.vocabSize },
    language,
    license: o.license ?? 'mit',
    datasets: o.datasets?.length ? o.datasets : [CORPUS_DATASET[stem] ?? stem],
    metrics,
    checkpointValLoss: ck.state.valLoss ?? null,
    checkpointBestValLoss: ck.state.bestValLoss,
    notes,
  });
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  const files: Record<string, string | Uint8Array> = {
    'model.safetensors': encodeSafetensors(tensors, { format: 'pt' }), // Transformers requires format "pt"
    'config.json': json(hfConfigJson(family, gpt, ids)),
    'generation_config.json': json(generationConfigJson(ids, samplingOf(dir, config), gpt.context)),
    'tokenizer.json': JSON.stringify(tokJson),
    'tokenizer_config.json': json(tokenizerConfigJson(tokenizer, tokJson, gpt.context)),
    'special_tokens_map.json': json(specialTokensMap(tokenizer, tokJson)),
    'README.md': card,
  };
  for (const [f, data] of Object.entries(files)) await writeFile(join(out, f), data);
  return { checkpoint: dir, out, family, files: Object.keys(files), notes, params, exportedParams, warnings: [] };
}

/** What changed between Versiflow's weights and the exported ones (all exact rewrites, or a stated rounding). */
export function exportNotes(family: HfFamily, a: HfArch): string[] {
  const notes: string[] = [];
  if (a.attention === 'latent') {
    const kv = a.kvHeads * a.headDim;
    const [latent, folded] = [a.hidden * a.kvLatent + 2 * a.kvLatent * kv, 2 * a.hidden * kv];
    notes.push(
      `latent K/V attention (kv_latent ${a.kvLatent}) folded into k_proj and v_proj: W_k = kv_down·k_up, W_v = kv_down·v_up` +
        `${a.attnBias ? ' (biases b_down·W_up + b_up)' : ''}, computed in float64 and rounded once to float32; the same linear maps, ` +
        `${folded.toLocaleString('en-US')} K/V weights a layer instead of ${latent.toLocaleString('en-US')}`,
    );
  }
  if (a.fusedGateUp) notes.push('the fused gate_up matrix is split into gate_proj (first half) and up_proj (second half)');
  if (a.positions === 'rope' && a.ropeStyle === 'interleaved') {
    notes.push('interleaved RoPE (pairs 2i, 2i+1) exported as Llama\'s rotate_half by permuting the q_proj and k_proj rows of every head (feature 2i + j → j·d/2 + i), which leaves every q·k unchanged');
  }
  if (family === 'gpt2') {
    const zero = [!a.normBias && 'LayerNorm', !a.attnBias && 'attention', !a.mlpBias && 'MLP'].filter(Boolean);
    if (zero.length) notes.push(`GPT-2 always has biases: the ${zero.join(', ')} biases this model does not have are exported as zeros (the same outputs)`);
  }
  if (family === 'llama') notes.push('matrices transposed to nn.Linear\'s [out, in]');
  return notes;
}

/** generation_config.json's sampling: the checkpoint's recommended_decoding.json (`eval sweep`) where there is one, else the run's sample settings. */
function samplingOf(dir: string, config: Pick<Config, 'temperature' | 'topK'>): GenerationSampling {
  const file = recommendedDecodingPath(dir);
  if (!file) return { temperature: config.temperature, topK: config.topK };
  const d = readRecommendedDecoding(file);
  return { temperature: d.temperature, topK: d.top_k, topP: d.top_p, repetitionPenalty: d.repetition_penalty, noRepeatNgramSize: d.no_repeat_ngram_size };
}
