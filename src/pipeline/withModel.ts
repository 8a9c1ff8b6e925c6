import { normalizeConfig } from '../core/config/normalizeConfig.ts';
import type { BackendChoice, Config } from '../core/config/schema.ts';
import { setupBackend } from '../model/backend/setupBackend.ts';
import { CheckpointError } from '../core/errors/CheckpointError.ts';
import { assignTensors } from '../model/nn/checkpoint.ts';
import { disposeWeights, initWeights } from '../model/nn/gpt.ts';
import { resolveGptConfig } from '../model/nn/gptConfig.ts';
import type { GptConfig } from '../core/config/gptConfig.ts';
import type { Tokenizer } from '../model/tokenizer/types.ts';
import type * as tf from '@tensorflow/tfjs';
import { openCheckpoint, type SkippedCheckpoint } from '../streams/checkpoints/checkpointStore.ts';
import { tokenizerFromJSON } from '../model/tokenizer/loadTokenizer.ts';

export interface LoadedModel {
  readonly dir: string;
  readonly config: Config;
  readonly gpt: GptConfig;
  readonly weights: Map<string, tf.Variable>;
  readonly tokenizer: Tokenizer;
  readonly step: number;
  /** Newer checkpoints of the run passed over as incomplete or corrupt. */
  readonly skipped: readonly SkippedCheckpoint[];
}

/** A checkpoint directory (or a run directory: its newest good checkpoint) → weights on the current backend. */
export async function loadModel(spec: string): Promise<LoadedModel> {
  const { dir, checkpoint: ck, skipped } = await openCheckpoint(spec, spec);
  const config = normalizeConfig(ck.state.config, `${dir}/state.json`);
  const tokenizer = tokenizerFromJSON(ck.tokenizer);
  if (tokenizer.hash !== ck.state.tokenizerHash) throw new CheckpointError(`${dir}: tokenizer.json does not match the hash in state.json`);
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize || tokenizer.vocabSize });
  const weights = initWeights(gpt, 0);
  try {
    assignTensors(weights, ck.model);
  } catch (e) {
    disposeWeights(weights);
    throw new CheckpointError(`${dir}/model.safetensors: ${(e as Error).message}`);
  }
  return { dir, config, gpt, weights, tokenizer, step: ck.state.step, skipped };
}

/**
 * Sets up the backend, loads a checkpoint (or a run directory's newest) and hands it to `use`; the
 * weights are disposed when `use` settles, however it ends. The one way commands get a model.
 *
 * @example
 * const text = await withModel('runs/tiny', { backend: 'wasm' }, async (m) => m.tokenizer.decode(await generateIds(m.weights, m.gpt, [0], 20, {}, new Rng(1))));
 */
export async function withModel<T>(spec: string, opts: { readonly backend?: BackendChoice; readonly warn?: (message: string) => void }, use: (m: LoadedModel) => Promise<T>): Promise<T> {
  await setupBackend(opts.backend ?? 'auto');
  const m = await loadModel(spec);
  for (const s of m.skipped) opts.warn?.(`skipped checkpoint ${s.dir}: ${s.reason}; using ${m.dir}`);
  try {
    return await use(m);
  } finally {
    disposeWeights(m.weights);
  }
}
