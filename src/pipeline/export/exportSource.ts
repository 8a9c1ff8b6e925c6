import { join } from 'node:path';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import type { Config } from '../../core/config/schema.ts';
import type { GptConfig } from '../../core/config/gptConfig.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { type HfFamily, hfFamilyOf } from '../../model/formats/hf/hfFamily.ts';
import { toHfTensors } from '../../model/formats/hf/hfTensors.ts';
import { resolveGptConfig } from '../../model/nn/gptConfig.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { type LoadedCheckpoint, openCheckpoint } from '../../streams/checkpoints/checkpointStore.ts';

/** What every export format starts from: a checkpoint, its architecture, family and Hugging Face-layout tensors. */
export interface ExportSource {
  /** The checkpoint's directory. */
  readonly dir: string;
  readonly checkpoint: LoadedCheckpoint;
  readonly config: Config;
  readonly tokenizer: Tokenizer;
  readonly gpt: GptConfig;
  readonly family: HfFamily;
  /** The weights under Transformers' names and layouts (the other formats map from these). */
  readonly tensors: ReturnType<typeof toHfTensors>;
}

/**
 * Opens a checkpoint for `export --format FORMAT`: an architecture with no family is refused with the
 * hf export's reason in this format's terms; weights that do not fit the architecture are a CheckpointError.
 */
export async function loadExportSource(path: string, format: 'hf' | 'onnx' | 'gguf'): Promise<ExportSource> {
  return withFamily(await openSource(path), format);
}

function withFamily(src: Omit<ExportSource, 'family' | 'tensors'>, format: 'hf' | 'onnx' | 'gguf'): ExportSource {
  const { dir, checkpoint, gpt } = src;
  let family: HfFamily;
  try {
    family = hfFamilyOf(gpt);
  } catch (e) {
    if (!(e instanceof ConfigError) || format === 'hf') throw e;
    throw new ConfigError(e.message.replace('export --format hf', `export --format ${format}`).replace('no faithful Transformers equivalent', format === 'gguf' ? 'no faithful llama.cpp architecture' : 'no faithful Transformers equivalent'));
  }
  try {
    return { ...src, family, tensors: toHfTensors(family, gpt, checkpoint.model) };
  } catch (e) {
    throw new CheckpointError(`${join(dir, 'model.safetensors')}: ${(e as Error).message}`);
  }
}

/** An architecture with no Transformers class: Versiflow's own tensors, for Versiflow's own runtimes. */
export interface NativeExportSource extends Omit<ExportSource, 'family' | 'tensors'> {
  readonly family: 'versiflow';
  readonly tensors: LoadedCheckpoint['model'];
}

/**
 * loadExportSource for an export that only Versiflow's runtimes load (build-chat): an architecture
 * with a Transformers family opens as that family (the same file as export --format onnx); one
 * without (Mini-Tron's rms + learned positions + gelu) opens with Versiflow's own tensors instead of
 * being refused.
 */
export async function loadRuntimeSource(path: string): Promise<ExportSource | NativeExportSource> {
  const src = await openSource(path);
  try {
    hfFamilyOf(src.gpt);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { ...src, family: 'versiflow', tensors: src.checkpoint.model };
  }
  return withFamily(src, 'onnx');
}

async function openSource(path: string): Promise<Omit<ExportSource, 'family' | 'tensors'>> {
  const { dir, checkpoint } = await openCheckpoint(path, path);
  const config = normalizeConfig(checkpoint.state.config, join(dir, 'state.json'));
  const tokenizer = tokenizerFromJSON(checkpoint.tokenizer);
  const gpt = resolveGptConfig({ ...config, vocabSize: config.vocabSize || tokenizer.vocabSize });
  return { dir, checkpoint, config, tokenizer, gpt };
}
