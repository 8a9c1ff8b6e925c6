import { configToSnake } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import type { StepState } from '../../core/stepState.ts';
import type { AdamW } from '../../model/nn/adamw.ts';
import { readTensors, snapshotOptimizer } from '../../model/nn/checkpoint.ts';
import type { Weights } from '../../model/nn/gpt.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { type CheckpointFiles, saveCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';

export interface CheckpointWriterOptions {
  readonly runDir: string;
  readonly config: Config;
  readonly vocabSize: number;
  readonly params: number;
  readonly trainExamples: number;
  readonly weights: Weights;
  readonly optimizer: AdamW;
  readonly tokenizer: Tokenizer;
  /** The resumed checkpoint's best validation loss, or null. */
  readonly bestValLoss: number | null;
  /** Digest of the corpus files (see corpusDigest), recorded so a resume on other data can say so. */
  readonly corpusFingerprint?: string;
  readonly now: () => number;
}

/**
 * The save function checkpointEvery calls: the weights, AdamW moments, tokenizer and a state.json
 * holding everything else needed to continue exactly (resolved config, step, data position, best
 * validation loss, tokenizer hash). Keeps the newest keep_checkpoints.
 */
export function checkpointWriter(o: CheckpointWriterOptions): (s: StepState) => Promise<{ path: string; bytes: number }> {
  const snake = configToSnake(o.config);
  let bestValLoss = o.bestValLoss;
  return async (s) => {
    const ev = s.events.find((e) => e.type === 'eval');
    if (ev?.type === 'eval') bestValLoss = ev.bestValLoss; // validateEvery keeps the running best
    const state: CheckpointFiles['state'] = {
      format: 'versiflow-checkpoint',
      version: 1,
      step: s.step,
      epoch: s.epoch,
      config: { ...snake, resume: '', vocab_size: o.vocabSize },
      data: { seed: o.config.seed, step: s.step, trainExamples: o.trainExamples, ...(o.corpusFingerprint ? { corpusFingerprint: o.corpusFingerprint } : {}) },
      optimizerStep: o.optimizer.t,
      bestValLoss,
      valLoss: ev?.type === 'eval' && Number.isFinite(ev.valLoss) ? ev.valLoss : null,
      tokenizerHash: o.tokenizer.hash,
      params: o.params,
      savedAt: new Date(o.now()).toISOString(),
    };
    const files = { model: await readTensors(o.weights), optimizer: await snapshotOptimizer(o.optimizer), state, tokenizer: o.tokenizer.toJSON() };
    return saveCheckpoint(o.runDir, files, { keepLast: o.config.keepCheckpoints, keepBest: o.config.keepBest });
  };
}
