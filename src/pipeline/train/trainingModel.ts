import type { Config } from '../../core/config/schema.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type * as tf from '@tensorflow/tfjs';
import { AdamW } from '../../model/nn/adamw.ts';
import { assignTensors, restoreOptimizer } from '../../model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../../model/nn/gpt.ts';
import { paramSpecs, resolveGptConfig } from '../../model/nn/gptConfig.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { CONFIG_SECTIONS, toSnake } from '../../core/config/schema.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import type { Resume } from './resume.ts';

/** The trainable state of a run: weights and their AdamW, at step `startStep`. */
export interface TrainingModel {
  readonly weights: Map<string, tf.Variable>;
  readonly optimizer: AdamW;
  /** Steps already trained (0 unless resumed). */
  readonly startStep: number;
  /** Best validation loss so far (the resumed checkpoint's), or null. */
  readonly bestValLoss: number | null;
  dispose(): void;
}

/**
 * Seeded weights and a fresh AdamW (decay on matrices only); with `resume`, both restored from its
 * checkpoint, which must have the run's tokenizer and a step below `totalSteps`.
 */
export function trainingModel(
  gcfg: GptConfig,
  cfg: Pick<Config, 'seed' | 'beta1' | 'beta2' | 'adamEps' | 'weightDecay' | 'gradClip'>,
  tokenizer: Tokenizer,
  totalSteps: number,
  resume: Resume | null,
): TrainingModel {
  const weights = initWeights(gcfg, cfg.seed);
  const decay = new Set(paramSpecs(gcfg).filter((s) => s.decay).map((s) => s.name));
  const optimizer = new AdamW(weights, decay, { beta1: cfg.beta1, beta2: cfg.beta2, eps: cfg.adamEps, weightDecay: cfg.weightDecay, gradClip: cfg.gradClip });
  const dispose = () => {
    disposeWeights(weights);
    optimizer.dispose();
  };
  if (!resume) return { weights, optimizer, startStep: 0, bestValLoss: null, dispose };
  const { dir, checkpoint: ckpt } = resume;
  try {
    if (ckpt.state.tokenizerHash !== tokenizer.hash) throw new CheckpointError(`${dir}: tokenizer hash differs from the run's`);
    const differs = architectureDiff(gcfg, ckpt.state.config);
    if (differs.length) throw new CheckpointError(`${dir} has another architecture: ${differs.join(', ')} (checkpoint vs this run); resume with the checkpoint's config`);
    try {
      assignTensors(weights, ckpt.model);
      restoreOptimizer(optimizer, ckpt.optimizer, ckpt.state.optimizerStep);
    } catch (e) {
      throw new CheckpointError(`${dir}: ${(e as Error).message} (was it trained with another config?)`);
    }
    if (ckpt.state.step >= totalSteps) throw new ConfigError(`${dir} is at step ${ckpt.state.step}; raise max_steps above it to continue`);
  } catch (e) {
    dispose();
    throw e;
  }
  return { weights, optimizer, startStep: ckpt.state.step, bestValLoss: ckpt.state.bestValLoss, dispose };
}

/** Model keys whose resolved values differ between the run and a checkpoint's snake_case config, as "key a ≠ b". */
export function architectureDiff(run: GptConfig, saved: Readonly<Record<string, unknown>>): string[] {
  let theirs: GptConfig;
  try {
    const cfg = normalizeConfig(saved, 'checkpoint state.json');
    theirs = resolveGptConfig({ ...cfg, vocabSize: cfg.vocabSize || run.vocabSize });
  } catch (e) {
    return [`its config does not resolve (${(e as Error).message})`];
  }
  const keys = CONFIG_SECTIONS.model.filter((k) => k !== 'dropout') as readonly (keyof GptConfig)[]; // dropout may change on resume
  return keys.filter((k) => theirs[k] !== run[k]).map((k) => `${toSnake(k)} ${String(theirs[k])} ≠ ${String(run[k])}`);
}
