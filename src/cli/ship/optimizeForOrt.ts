import { ConfigError } from '../../core/errors/ConfigError.ts';
import type { OrtModule } from './onnxDecoder.ts';

/**
 * build-chat's load-time cut: onnxruntime parses `onnxFile`, runs its hardware-independent graph
 * optimisations ('extended': constant folding, RMSNorm/GELU/MatMul fusions; 'all' adds layouts tied
 * to this CPU, which the poet may not run on) and writes the result in its own format (`ortFile`,
 * ending in .ort: a flatbuffer whose initializers the poet's session uses in place, see
 * OnnxDecoder.load). The poet then skips the protobuf parse, the optimiser and the initializer copies at
 * every start. `ort` is onnxruntime-node, the same version whose native library goes into the file.
 */
export async function optimizeForOrt(ort: OrtModule, onnxFile: string, ortFile: string): Promise<void> {
  if (!ortFile.endsWith('.ort')) throw new ConfigError(`build-chat: ${ortFile} must end in .ort (onnxruntime picks the saved format from the extension)`);
  const create = ort.InferenceSession.create as unknown as (path: string, o: Record<string, unknown>) => Promise<{ release?(): Promise<void> }>;
  const session = await create(onnxFile, { graphOptimizationLevel: 'extended', optimizedModelFilePath: ortFile });
  await session.release?.();
}
