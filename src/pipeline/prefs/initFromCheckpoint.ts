import type * as tf from '@tensorflow/tfjs';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { disposeWeights, initWeights } from '../../model/nn/gpt.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { frozenCopy } from '../../model/nn/preference/frozenCopy.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { assignInitWeights, readInitFrom } from '../train/initFrom.ts';

/** The policy (trainable, from init_from) and its frozen reference (the same weights again). */
export interface PolicyAndReference {
  readonly dir: string;
  /** The run's config with the checkpoint's architecture (train/initFrom.ts). */
  readonly config: Config;
  readonly gpt: GptConfig;
  readonly tokenizer: Tokenizer;
  readonly weights: Map<string, tf.Variable>;
  readonly reference: Map<string, tf.Variable>;
  dispose(): void;
}

/**
 * `init_from` → the policy, through the same loader as `--task sft` (verified checkpoint, its
 * architecture and tokenizer; a model key the run sets otherwise is a ConfigError), and a frozen
 * copy of it as the reference model.
 */
export async function loadPolicyAndReference(cfg: Config): Promise<PolicyAndReference> {
  const init = cfg.resume ? null : await readInitFrom(cfg);
  if (!init) throw new ConfigError(`--task ${cfg.task} tunes an existing model: give --init-from CHECKPOINT (a checkpoint directory, or a run directory for its newest), usually an SFT checkpoint`);
  const gpt = resolveGptConfig(init.config);
  const weights = initWeights(gpt, 0);
  assignInitWeights({ weights, dispose: () => disposeWeights(weights) }, init);
  const reference = frozenCopy(weights);
  return {
    dir: init.dir,
    config: init.config,
    gpt,
    tokenizer: init.tokenizer,
    weights,
    reference,
    dispose: () => {
      disposeWeights(weights);
      disposeWeights(reference);
    },
  };
}
