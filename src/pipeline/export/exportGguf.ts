import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { encodeGguf } from '../../model/formats/gguf/ggufFile.ts';
import { type GgufFileType, ggufModelKv, toGgufTensors } from '../../model/formats/gguf/ggufModel.ts';
import { ggufTokenizerKv } from '../../model/formats/gguf/ggufTokenizer.ts';
import { type HfFamily } from '../../model/formats/hf/hfFamily.ts';
import { loadExportSource } from './exportSource.ts';
import { exportNotes } from './exportHf.ts';

export interface ExportGgufOptions {
  /** A checkpoint directory, or a run directory (its newest good checkpoint). */
  readonly checkpoint: string;
  readonly out: string;
  /** Type of the 2-D weights. @default 'f16' */
  readonly type?: GgufFileType;
  /** Overwrite an existing model-<type>.gguf. @default false */
  readonly force?: boolean;
}

export interface ExportGgufResult {
  readonly checkpoint: string;
  /** The written file, DIR/model-<type>.gguf. */
  readonly file: string;
  readonly family: HfFamily;
  readonly bytes: number;
  readonly tensors: number;
  readonly notes: readonly string[];
}

export const GGUF_TYPES: readonly GgufFileType[] = ['f32', 'f16', 'q8_0'];

/**
 * `versiflow export --format gguf`: a checkpoint → DIR/model-<type>.gguf for llama.cpp (and Ollama,
 * LM Studio, node-llama-cpp): arch "llama" for the Llama family, "gpt2" for the GPT-2 family (the
 * same families and refusals as export --format hf), the tokenizer in its metadata. Needs no tensor
 * backend. An exact-GELU GPT-2 is written with a note: llama.cpp computes the tanh GELU.
 */
export async function exportGguf(o: ExportGgufOptions): Promise<ExportGgufResult> {
  const type = o.type ?? 'f16';
  if (!GGUF_TYPES.includes(type)) throw new ConfigError(`export: --gguf-type must be one of ${GGUF_TYPES.join(', ')} (got "${type}")`);
  const { dir, config, tokenizer, gpt, family, tensors: hf } = await loadExportSource(o.checkpoint, 'gguf');
  const file = join(resolve(o.out), `model-${type}.gguf`);
  if (existsSync(file) && !o.force) throw new ConfigError(`export: ${file} exists; choose another --out or pass --force to overwrite it`);
  const { tensors, kept } = toGgufTensors(family, gpt, hf, type);
  const tok = ggufTokenizerKv(tokenizer, gpt.vocabSize);
  const bytes = encodeGguf([...ggufModelKv(family, gpt, { name: config.name, type }), ...tok.kv], tensors);
  await mkdir(resolve(o.out), { recursive: true });
  await writeFile(file, bytes);
  const notes = exportNotes(family, gpt).filter((n) => !n.startsWith('matrices transposed'));
  if (family === 'gpt2' && gpt.gelu === 'exact') {
    // ggml_gelu (llama.cpp's gpt2 FFN) is the tanh approximation; a GGUF file has no key to choose the erf form
    notes.push('gelu: exact (erf) trained, but llama.cpp\'s gpt2 architecture computes the tanh GELU (ggml_gelu): they differ by at most 4.7e-4 per activation, so llama.cpp\'s logits differ slightly from Versiflow\'s (export --format hf or onnx keep the erf form)');
  }
  if (family === 'llama') notes.push('q and k rows permuted per head to llama.cpp\'s adjacent-pair RoPE (row 2i + j ← j·d/2 + i of the half-split order)');
  if (kept.length) notes.push(`kept F16, rows not a multiple of 32 for Q8_0: ${kept.join(', ')}`);
  notes.push(...tok.notes);
  return { checkpoint: dir, file, family, bytes: bytes.length, tensors: tensors.length, notes };
}
