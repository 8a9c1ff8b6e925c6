import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Batch } from '../../core/batch.ts';
import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import { missingPackage } from './buildPackages.ts';
import { type DecoderShape, OnnxDecoder, type OrtModule } from './onnxDecoder.ts';
import { type OnnxFeed, onnxLoss } from './onnxLoss.ts';
import { poetModelRoute, writePoetModel } from './poetModel.ts';

const require = createRequire(import.meta.url);

/**
 * Token-weighted mean loss of `batches` through the model build-chat would embed for `weights` (the
 * same export, the same .ort for int8/fp32, loaded as the poet loads it), in onnxruntime-node: what
 * `eval perplexity --onnx` reports beside tfjs's figure. The files live in a temporary directory,
 * removed at the end.
 */
export async function poetModelLoss(checkpointDir: string, shape: DecoderShape, weights: OnnxWeights, batches: readonly Batch[], feed: OnnxFeed, log?: (line: string) => void): Promise<number> {
  let ort: OrtModule;
  try {
    ort = require('onnxruntime-node') as OrtModule;
  } catch {
    throw missingPackage('onnxruntime-node');
  }
  const route = poetModelRoute(weights);
  const work = mkdtempSync(join(tmpdir(), 'versiflow-eval-onnx-'));
  try {
    const file = await writePoetModel(checkpointDir, weights, work, route.modelFormat, () => ort, log);
    const decoder = await OnnxDecoder.load(ort, new Uint8Array(readFileSync(file)), shape, { format: route.modelFormat, prepack: route.prepack });
    return await onnxLoss(decoder, batches, feed);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
