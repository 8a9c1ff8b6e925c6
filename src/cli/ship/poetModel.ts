import { join } from 'node:path';
import type { OnnxWeights } from '../../model/formats/onnx/weightStorage.ts';
import { exportOnnx, ONNX_FILES } from '../../pipeline/export/exportOnnx.ts';
import type { OrtModule } from './onnxDecoder.ts';
import { optimizeForOrt } from './optimizeForOrt.ts';

/** How the poet holds and loads its model for a weight storage (docs/ship.md for the figures behind it). */
export interface PoetModelRoute {
  /** 'ort': optimised at build time, initializers used in place (int8, fp32); 'onnx': optimised at load (fp16). */
  readonly modelFormat: 'onnx' | 'ort';
  /** Whether onnxruntime prepacks the matrices at load (not for int8: its load stays under 300 ms). */
  readonly prepack: boolean;
}

export const poetModelRoute = (weights: OnnxWeights): PoetModelRoute => ({ modelFormat: weights === 'fp16' ? 'onnx' : 'ort', prepack: weights !== 'int8' });

/**
 * The model file the poet embeds, written into `work` (an empty scratch directory): the checkpoint's
 * ONNX export of one weight variant (runtime 'versiflow', int8 as int8 GEMMs), and for `modelFormat`
 * 'ort' that graph optimised and saved in onnxruntime's format (optimizeForOrt). Shared by build-chat
 * and `eval perplexity --onnx`, so the figure measured is the file shipped. Returns its path.
 */
export async function writePoetModel(checkpointDir: string, weights: OnnxWeights, work: string, modelFormat: PoetModelRoute['modelFormat'], ort: () => OrtModule, log: (line: string) => void = () => undefined): Promise<string> {
  log(`exporting ${checkpointDir} to ONNX (${weights} weights${weights === 'int8' ? ', int8 GEMMs' : ''})`);
  await exportOnnx(checkpointDir, join(work, 'export'), { variants: [weights], runtime: 'versiflow', int8Kernel: 'integer' });
  const onnxFile = join(work, 'export', ONNX_FILES[weights]);
  if (modelFormat === 'onnx') return onnxFile;
  log("optimising the graph and writing it in onnxruntime's format (.ort)");
  await optimizeForOrt(ort(), onnxFile, join(work, 'model.ort'));
  return join(work, 'model.ort');
}
