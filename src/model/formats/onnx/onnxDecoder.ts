import { ConfigError } from '../../../core/errors/ConfigError.ts';
import type { Tensors } from '../hf/hfTensors.ts';
import type { HfArch, HfFamily } from '../hf/hfFamily.ts';
import type { NamedArray } from '../safetensors.ts';
import { decoderModel, type DecoderModelOptions } from './decoderGraph.ts';
import { decoderWeights } from './decoderWeights.ts';
import { nativeDecoderWeights } from './nativeWeights.ts';
import { encodeOnnxModel } from './onnxProto.ts';
import type { OnnxWeights } from './weightStorage.ts';

/** protobuf's hard limit on one message; bigger models need ONNX external data, which this writer does not do. */
export const ONNX_MAX_BYTES = 2 ** 31 - 1;

/**
 * The ONNX decoder file (model.onnx, model_fp16.onnx or model_quantized.onnx) of a model, from the
 * Transformers state dict of its export (toHfTensors), as protobuf chunks to write in order. Throws a
 * ConfigError when the file would pass protobuf's 2 GB limit.
 */
export function encodeOnnxDecoder(family: HfFamily, a: HfArch, hfTensors: readonly NamedArray[], kind: OnnxWeights, o: DecoderModelOptions = {}): readonly Uint8Array[] {
  return encodeChecked(decoderModel(family, a, decoderWeights(family, a, hfTensors), kind, o), kind);
}

/**
 * The same file for an architecture with no Transformers class (family 'versiflow'), from Versiflow's
 * own tensors (nativeDecoderWeights): for Versiflow's own runtimes (build-chat's poet) only.
 */
export function encodeNativeOnnxDecoder(a: HfArch, tensors: Tensors, kind: OnnxWeights, o: DecoderModelOptions = {}): readonly Uint8Array[] {
  return encodeChecked(decoderModel('versiflow', a, nativeDecoderWeights(a, tensors), kind, o), kind);
}

function encodeChecked(model: ReturnType<typeof decoderModel>, kind: OnnxWeights): readonly Uint8Array[] {
  const weightBytes = model.graph.initializers.reduce((n, t) => n + t.raw.length, 0);
  if (weightBytes > ONNX_MAX_BYTES - (64 << 20)) {
    throw new ConfigError(
      `export --format onnx: the ${kind} weights are ${(weightBytes / 2 ** 30).toFixed(2)} GiB, over protobuf's 2 GiB limit for one .onnx file; ` +
        'external-data ONNX is not written: export --format hf and convert with Optimum (optimum-cli export onnx), or export a smaller model',
    );
  }
  return encodeOnnxModel(model);
}
