import { ConfigError } from '../core/errors/ConfigError.ts';
import type { GgufFileType } from '../model/formats/gguf/ggufModel.ts';
import { exportGguf, GGUF_TYPES } from '../pipeline/export/exportGguf.ts';
import type { CliIO } from './io.ts';

export const EXPORT_GGUF_HELP = `versiflow export --checkpoint PATH --format gguf --out DIR [--gguf-type f32|f16|q8_0 (f16) --force]
      DIR/model-<type>.gguf for llama.cpp, Ollama, LM Studio, node-llama-cpp (arch llama or gpt2, tokenizer in its metadata)`;

/** `export --format gguf`: writes DIR/model-<type>.gguf and prints the arch, the size and the notes. */
export async function ggufExport(checkpoint: string, out: string, type: string | undefined, force: boolean, io: CliIO): Promise<number> {
  if (type !== undefined && !GGUF_TYPES.includes(type as GgufFileType)) throw new ConfigError(`export: --gguf-type takes ${GGUF_TYPES.join(', ')}; got "${type}"`);
  const r = await exportGguf({ checkpoint, out, type: type as GgufFileType | undefined, force });
  const mib = (r.bytes / 2 ** 20).toFixed(2);
  io.stdout.write(`exported ${r.checkpoint} as GGUF (llama.cpp arch ${r.family}, ${r.tensors} tensors) to ${r.file} (${mib} MiB)\n`);
  for (const n of r.notes) io.stdout.write(`  note: ${n}\n`);
  return 0;
}
