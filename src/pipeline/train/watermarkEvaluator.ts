import type { Config, WatermarkEvalConfig } from '../../core/config/schema.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { DataError } from '../../core/errors/DataError.ts';
import type { StepState } from '../../core/stepState.ts';
import { pickHeldOut, watermarkEvalFigures, watermarkScores } from '../../eval/watermarkEval.ts';
import { watermarkMetrics } from '../../eval/watermarkMetrics.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { encodeDocument } from '../../model/tokenizer/documentIds.ts';
import { keyedScheme } from '../../model/watermark/keyed.ts';
import { lefthashScheme } from '../../model/watermark/lefthash.ts';
import { poetruScheme } from '../../model/watermark/poetru.ts';
import type { WatermarkScheme } from '../../model/watermark/scheme.ts';
import type { WatermarkEvalFigures } from '../../operators/watermarkEvalEvery.ts';
import { type HeldOutConfig, heldOutTexts } from '../data/heldOutTexts.ts';

/** The keys the training run's watermark evaluation reads. */
export type WatermarkEvaluatorConfig = WatermarkEvalConfig & HeldOutConfig & Pick<Config, 'temperature' | 'topK'>;

/** watermark_eval_scheme (+ watermark_eval_key) → the green-list scheme for this vocabulary. */
export function watermarkEvalScheme(cfg: Pick<Config, 'watermarkEvalScheme' | 'watermarkEvalKey'>, vocabSize: number): WatermarkScheme {
  if (cfg.watermarkEvalScheme === 'poetru') return poetruScheme({ vocabSize });
  if (cfg.watermarkEvalScheme === 'lefthash') return lefthashScheme({ vocabSize });
  if (!cfg.watermarkEvalKey) throw new ConfigError('watermark_eval_scheme keyed needs watermark_eval_key (the secret that detection will need too)');
  return keyedScheme({ vocabSize, key: cfg.watermarkEvalKey });
}

/**
 * The training run's watermark evaluation (for operator watermarkEvalEvery), or null when
 * watermark_eval_every is -1. Reads the run's held-out texts once, at start, and picks
 * watermark_eval_n of them (src/eval pickHeldOut); each evaluation then generates from their first
 * watermark_eval_prompt_tokens ids with the live training weights (batched, watermarked,
 * watermark_eval_max_new_tokens each, temperature and top_k of the samples, the run's seed: the same
 * draws at every evaluation, so only the model changes) and scores them against the texts' own
 * continuations: AUC, F1 at watermark_eval_threshold and the mean z of each side.
 * @throws ConfigError for keyed without a key; DataError when fewer than 2 held-out texts are usable.
 */
export async function watermarkEvaluator(
  weights: Weights,
  gpt: GptConfig,
  tokenizer: Tokenizer,
  cfg: WatermarkEvaluatorConfig,
): Promise<((s: StepState) => Promise<WatermarkEvalFigures>) | null> {
  if (cfg.watermarkEvalEvery < 0) return null;
  const scheme = watermarkEvalScheme(cfg, gpt.vocabSize);
  const P = cfg.watermarkEvalPromptTokens;
  const maxNewTokens = cfg.watermarkEvalMaxNewTokens;
  // as training saw them (BOS first for a model trained with one); the prompt is the BOS and P text tokens
  const docs = (await heldOutTexts(cfg)).map((t) => encodeDocument(tokenizer, t));
  const lead = P + (tokenizer.addBos ? 1 : 0);
  const texts = pickHeldOut(docs, cfg.watermarkEvalN, lead, maxNewTokens).map((i) => docs[i]);
  if (texts.length < 2)
    throw new DataError(`${cfg.data}: only ${texts.length} held-out text(s) longer than watermark_eval_prompt_tokens ${P}; the watermark evaluation needs at least 2 (raise val_fraction or set watermark_eval_every -1)`);
  const model = { weights, config: gpt, tokenizer };
  const opts = { scheme, promptTokens: lead, maxNewTokens, batchSize: cfg.watermarkEvalBatchSize, seed: cfg.seed, temperature: cfg.temperature, topK: cfg.topK };
  return async () => {
    const { rows } = await watermarkScores(model, texts, opts);
    return watermarkEvalFigures(watermarkMetrics(rows, cfg.watermarkEvalThreshold));
  };
}
