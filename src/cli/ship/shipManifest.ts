import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import type { DecoderShape } from './onnxDecoder.ts';

/** The asset names inside the single executable (node:sea getAsset keys). */
export const POET_ASSETS = { manifest: 'manifest.json', model: 'model', ortLibrary: 'libonnxruntime.so.1', ortBinding: 'onnxruntime_binding.node' } as const;

/**
 * What `versiflow build-chat` writes into the executable beside the weights: the model's shape, its
 * Versiflow tokenizer (JSON), the decoding defaults (recommended_decoding.json when the checkpoint
 * has one) and the watermark the model was trained with (on by default), as generation flags.
 */
export interface PoetManifest {
  readonly format: 'versiflow-poet';
  readonly version: 1;
  /** The checkpoint it was built from (its path at build time, for --version). */
  readonly checkpoint: string;
  readonly weights: OnnxWeights;
  /**
   * The model asset's format: 'ort' (onnxruntime's own, optimised at build time, initializers used in
   * place: int8 and fp32) or 'onnx' (fp16: its fp32 weights would double the file in ORT format).
   */
  readonly modelFormat: 'onnx' | 'ort';
  /**
   * Whether onnxruntime prepacks the matrices at load: a copy of every weight into fresh memory, which
   * the GEMMs then run faster on. Off for int8 (the load stays under 300 ms; its int8 GEMMs pack as they
   * go), on for fp32 and fp16 (unpacked, fp32 decoded at 27 tok/s against 37 packed). Figures in docs/ship.md.
   */
  readonly prepack: boolean;
  readonly shape: DecoderShape;
  /** Versiflow's tokenizer JSON (tokenizerFromJSON). */
  readonly tokenizer: Record<string, unknown>;
  /** The tokenizer has the chat tokens: --prompt and the REPL go through the chat template. */
  readonly chat: boolean;
  /** Default generation flags (`temperature`, `top-k`, ..., `watermark`, `watermark-key`); explicit flags win. */
  readonly defaults: Readonly<Record<string, string>>;
  /** Where `defaults` came from, one line each (printed by --version). */
  readonly sources: readonly string[];
  /** onnxruntime-node's version: the per-version cache directory of its native library. */
  readonly ortVersion: string;
}
