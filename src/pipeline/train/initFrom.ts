import type * as tf from '@tensorflow/tfjs';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { CONFIG_SECTIONS, CONFIG_SPEC, type Config, type ConfigKey, toSnake } from '../../core/config/schema.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { NamedArray } from '../../model/formats/safetensors.ts';
import { assignTensors } from '../../model/nn/checkpoint.ts';
import { growVocab } from '../../model/nn/growVocab.ts';
import { withChatTokens } from '../../model/tokenizer/addSpecialTokens.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { openCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';

/** A fresh run's starting point from `init_from`: the checkpoint's architecture, tokenizer and weights. */
export interface InitFrom {
  readonly dir: string;
  /** The run's config with the checkpoint's model keys (dropout excepted) and the grown vocab_size. */
  readonly config: Config;
  /** The checkpoint's tokenizer, with the chat tokens added for task sft. */
  readonly tokenizer: Tokenizer;
  /** The checkpoint's weights, the vocabulary grown to the tokenizer's (see growVocab). */
  readonly model: ReadonlyMap<string, NamedArray>;
  /** Special tokens added to the tokenizer (new embedding rows). */
  readonly added: readonly string[];
}

/** Model keys a fine-tune may set freely. */
const FREE = new Set<ConfigKey>(['dropout', 'vocabSize']);

/**
 * `init_from` of a fresh run (null when unset, or when the run resumes: its checkpoint already holds
 * the fine-tuned weights). Opens the checkpoint (a run directory means its newest good one), takes
 * its architecture — a model key the run's config sets to another non-default value is a
 * ConfigError naming each — and its tokenizer; with task sft the chat tokens are added and the
 * embeddings grown, each new row the mean of the trained ones.
 */
export async function readInitFrom(cfg: Config): Promise<InitFrom | null> {
  if (!cfg.initFrom || cfg.resume) return null;
  const { dir, checkpoint } = await openCheckpoint(cfg.initFrom, cfg.initFrom);
  const saved = normalizeConfig(checkpoint.state.config, `${dir}/state.json`);
  const conflicts: string[] = [];
  const arch: Record<string, unknown> = {};
  for (const key of CONFIG_SECTIONS.model as readonly ConfigKey[]) {
    if (FREE.has(key)) continue;
    arch[key] = saved[key];
    if (cfg[key] !== CONFIG_SPEC[key].default && cfg[key] !== saved[key]) conflicts.push(`${toSnake(key)} ${String(cfg[key])} (run) ≠ ${String(saved[key])} (checkpoint)`);
  }
  if (conflicts.length) {
    throw new ConfigError(`init_from ${dir} keeps its architecture, but the run's config sets ${conflicts.join(', ')}: leave these keys out (or use a config without model keys) to fine-tune it`);
  }
  const base = tokenizerFromJSON(checkpoint.tokenizer);
  if (base.hash !== checkpoint.state.tokenizerHash) throw new CheckpointError(`${dir}: tokenizer.json does not match the hash in state.json`);
  const { tokenizer, added } = cfg.task === 'sft' ? withChatTokens(base) : { tokenizer: base, added: [] as string[] };
  const wte = checkpoint.model.get('wte');
  if (!wte) throw new CheckpointError(`${dir}/model.safetensors has no "wte" embedding`);
  const rows = Math.max(wte.shape[0], tokenizer.vocabSize);
  const newIds = added.map((t) => tokenizer.encode(t)[0]);
  let model: ReadonlyMap<string, NamedArray> = checkpoint.model;
  try {
    if (rows !== wte.shape[0] || newIds.length) model = growVocab(checkpoint.model, rows, base.vocabSize, newIds);
  } catch (e) {
    throw new CheckpointError(`${dir}: ${(e as Error).message}`);
  }
  const config = Object.freeze({ ...cfg, ...arch, vocabSize: rows }) as Config;
  return { dir, config, tokenizer, model, added };
}

/** Puts the init_from weights into a run's freshly built model; on a mismatch it disposes the model and throws naming the checkpoint. */
export function assignInitWeights(model: { readonly weights: ReadonlyMap<string, tf.Variable>; dispose(): void }, init: InitFrom): void {
  try {
    assignTensors(model.weights, init.model);
  } catch (e) {
    model.dispose();
    throw new CheckpointError(`init_from ${init.dir}: ${(e as Error).message}`);
  }
}

/** The start-of-run line about init_from. */
export function initFromReport(init: InitFrom): string {
  const grown = init.added.length ? `; added ${init.added.join(' ')} to the tokenizer (embeddings grown to ${init.config.vocabSize} rows, new rows = mean of the trained ones)` : '';
  return `init_from: starting from ${init.dir} (${init.config.layers} layers, hidden ${init.config.hidden}, context ${init.config.context})${grown}`;
}
