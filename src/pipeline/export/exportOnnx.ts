import { existsSync } from 'node:fs';
import { mkdir, open, readdir, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { normalizeConfig } from '../../core/config/normalizeConfig.ts';
import { CheckpointError } from '../../core/errors/CheckpointError.ts';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { generationConfigJson, hfConfigJson } from '../../model/formats/hf/hfConfig.ts';
import { type HfFamily } from '../../model/formats/hf/hfFamily.ts';
import { hfTokenizerJson, specialIdsOf, specialTokensMap, tokenizerConfigJson } from '../../model/formats/hf/hfTokenizer.ts';
import { encodeNativeOnnxDecoder, encodeOnnxDecoder } from '../../model/formats/onnx/onnxDecoder.ts';
import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import { loadExportSource, loadRuntimeSource } from './exportSource.ts';
import { exportNotes } from './exportHf.ts';

/** The file of each weight storage, as transformers.js names them (dtype fp32, fp16, q8). */
export const ONNX_FILES: Readonly<Record<OnnxWeights, string>> = { fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx', int8: 'onnx/model_quantized.onnx' };

export interface ExportOnnxOptions {
  /** Which .onnx files to write. @default ['fp32', 'fp16', 'int8'] */
  readonly variants?: readonly OnnxWeights[];
  /** Write into a non-empty output directory. @default false */
  readonly force?: boolean;
  /**
   * Who loads the export. 'transformers' (transformers.js, onnxruntime as a Transformers causal LM)
   * refuses an architecture with no Transformers class; 'versiflow' (build-chat's poet, which reads
   * its own manifest) lets one through (Mini-Tron's rms + learned positions + gelu): its graph is the
   * same decoder, and config.json / generation_config.json are not written (no Transformers class
   * describes it). @default 'transformers'
   */
  readonly runtime?: 'transformers' | 'versiflow';
  /**
   * int8's kernel (DecoderModelOptions.int8Kernel in decoderGraph.ts): 'integer' (int8 GEMMs, weights
   * kept int8 in memory; runtime 'versiflow' only) or 'dequantize' (what transformers.js loads). @default 'dequantize'
   */
  readonly int8Kernel?: 'dequantize' | 'integer';
}

export interface ExportOnnxResult {
  readonly checkpoint: string;
  readonly out: string;
  /** 'versiflow': no Transformers class (runtime: 'versiflow' only). */
  readonly family: HfFamily | 'versiflow';
  /** Every file written (relative to `out`) with its size in bytes. */
  readonly files: readonly { readonly path: string; readonly bytes: number }[];
  /** How the weights' form changed (folds, permutations, zero biases), as the hf export states them. */
  readonly notes: readonly string[];
}

/**
 * `versiflow export --format onnx`: a checkpoint (or a run directory's newest) → a folder that
 * transformers.js (`AutoModelForCausalLM.from_pretrained(dir)`) and onnxruntime load as a causal LM:
 * onnx/model.onnx (fp32), onnx/model_fp16.onnx (fp16 weights, float32 arithmetic),
 * onnx/model_quantized.onnx (int8 weights, per-column scales; transformers.js's q8, its default in the
 * browser), and the hf export's config.json, generation_config.json, tokenizer.json,
 * tokenizer_config.json, special_tokens_map.json. Llama and GPT-2 families; any other architecture is
 * refused with the hf export's reason. The entry point for other tools (a web page, a single-file chat).
 */
export async function exportOnnx(checkpointPath: string, outDir: string, o: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  const variants = o.variants ?? ['fp32', 'fp16', 'int8'];
  if (variants.length === 0) throw new ConfigError('export --format onnx: no variants to write; choose from fp32, fp16, int8');
  if (o.int8Kernel === 'integer' && o.runtime !== 'versiflow') throw new ConfigError("export --format onnx: int8Kernel 'integer' (MatMulInteger) is for runtime 'versiflow' (build-chat) only; transformers.js loads the DequantizeLinear int8");
  const src = o.runtime === 'versiflow' ? await loadRuntimeSource(checkpointPath) : await loadExportSource(checkpointPath, 'onnx');
  const { dir, config, tokenizer, gpt, family } = src;
  const kernel = { int8Kernel: o.int8Kernel ?? 'dequantize' } as const;
  const encode = (v: OnnxWeights) => (src.family === 'versiflow' ? encodeNativeOnnxDecoder(gpt, src.tensors, v, kernel) : encodeOnnxDecoder(src.family, gpt, src.tensors, v, kernel));
  // one file in memory at a time, the largest first: encoded before the output is touched, so a
  // refusal (over 2 GB) leaves nothing behind
  const order = (['fp32', 'fp16', 'int8'] as const).filter((v) => variants.includes(v));
  let first: readonly Uint8Array[] | null = encode(order[0]);

  const out = resolve(outDir);
  if (existsSync(out) && (await readdir(out)).length > 0 && !o.force) throw new ConfigError(`export: ${out} is not empty; choose another --out or pass --force to overwrite its files`);
  await mkdir(join(out, 'onnx'), { recursive: true });
  const ids = specialIdsOf(tokenizer);
  const tokJson = hfTokenizerJson(tokenizer);
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  const side: Record<string, string> = {
    ...(family === 'versiflow'
      ? {}
      : {
          'config.json': json(hfConfigJson(family, gpt, ids)),
          'generation_config.json': json(generationConfigJson(ids, { temperature: config.temperature, topK: config.topK }, gpt.context)),
        }),
    'tokenizer.json': JSON.stringify(tokJson),
    'tokenizer_config.json': json(tokenizerConfigJson(tokenizer, tokJson, gpt.context)),
    'special_tokens_map.json': json(specialTokensMap(tokenizer, tokJson)),
  };
  const files: { path: string; bytes: number }[] = [];
  for (const v of order) {
    const parts = first ?? encode(v);
    first = null;
    await writeParts(join(out, ONNX_FILES[v]), parts);
    files.push({ path: ONNX_FILES[v], bytes: (await stat(join(out, ONNX_FILES[v]))).size });
  }
  for (const [f, text] of Object.entries(side)) {
    await writeFile(join(out, f), text);
    files.push({ path: f, bytes: Buffer.byteLength(text) });
  }
  return { checkpoint: dir, out, family, files, notes: family === 'versiflow' ? ['no Transformers class computes this architecture: the graph is for Versiflow\'s own runtimes (build-chat), no config.json'] : exportNotes(family, gpt).filter((n) => !n.startsWith('matrices transposed')) };
}

/** Writes chunks in order, small ones gathered into 1 MiB writes. */
async function writeParts(path: string, parts: readonly Uint8Array[]): Promise<void> {
  const fh = await open(path, 'w');
  try {
    let pending: Uint8Array[] = [];
    let size = 0;
    const flush = async () => {
      if (size) await fh.write(Buffer.concat(pending, size));
      pending = [];
      size = 0;
    };
    for (const p of parts) {
      if (p.length >= 1 << 20) {
        await flush();
        await fh.write(p);
      } else {
        pending.push(p);
        size += p.length;
        if (size >= 1 << 20) await flush();
      }
    }
    await flush();
  } finally {
    await fh.close();
  }
}
