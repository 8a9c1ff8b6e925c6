import { ConfigError } from '../../core/errors/ConfigError.ts';
import { disposeWeights } from '../../model/nn/gpt.ts';
import { frozenCopy } from '../../model/nn/preference/frozenCopy.ts';
import type * as tf from '@tensorflow/tfjs';
import { type LoadedModel, loadModel } from '../withModel.ts';

/** The policy (trainable, from the checkpoint) and its frozen reference (the same weights again). */
export interface PolicyAndReference extends LoadedModel {
  readonly reference: Map<string, tf.Variable>;
  dispose(): void;
}

/**
 * `init_from` → the policy, loaded through the checkpoint code every command uses (verified files,
 * tokenizer hash checked), and a frozen copy of it as the reference model. The one place a
 * preference run loads its start; SFT's own init-from loader can take its place.
 */
export async function loadPolicyAndReference(initFrom: string, task: string): Promise<PolicyAndReference> {
  if (!initFrom) throw new ConfigError(`--task ${task} tunes an existing model: give --init-from CHECKPOINT (a checkpoint directory, or a run directory for its newest), usually an SFT checkpoint`);
  const m = await loadModel(initFrom);
  const reference = frozenCopy(m.weights);
  return {
    ...m,
    reference,
    dispose: () => {
      disposeWeights(m.weights);
      disposeWeights(reference);
    },
  };
}
