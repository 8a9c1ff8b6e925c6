import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { exportHf } from '../pipeline/export/exportHf.ts';
import { exportOnnx } from '../pipeline/export/exportOnnx.ts';
import type { OnnxWeights } from '../model/formats/onnx/weightStorage.ts';
import { EXPORT_GGUF_HELP, ggufExport } from './exportGguf.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EXPORT_HELP = `versiflow export --checkpoint PATH --format hf --out DIR [--language ru,en --license mit --dataset NAME,... --force]
      a Hugging Face Transformers folder (LlamaForCausalLM or GPT2LMHeadModel, safetensors, tokenizer, model card)
versiflow export --checkpoint PATH --format onnx --out DIR [--variants fp32,fp16,int8 --force]
      ONNX decoder with past key values (Optimum layout) for transformers.js / onnxruntime: onnx/model.onnx, model_fp16.onnx, model_quantized.onnx + config and tokenizer
${EXPORT_GGUF_HELP}`;

/**
 * `versiflow export --format hf|onnx`: a checkpoint (or a run directory's newest) → a Transformers folder,
 * or an ONNX decoder folder for transformers.js / onnxruntime (see exportOnnx).
 * Prints the family, the files and how the weights' form changed. Exit 2 for a usage or config problem
 * (including an architecture with no faithful Transformers class, named by key).
 */
export async function exportCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseStrict(args, { values: ['checkpoint', 'format', 'out', 'language', 'license', 'dataset', 'variants', 'gguf-type'], booleans: ['force', 'help'] });
    if (flags.help) {
      io.stdout.write(`${EXPORT_HELP}\n`);
      return 0;
    }
    if (!flags.checkpoint) throw new ConfigError('export: --checkpoint PATH is required (a checkpoint or run directory)');
    if (!flags.out) throw new ConfigError('export: --out DIR is required');
    const format = flags.format ?? 'hf';
    const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
    if (format === 'onnx') return await onnxExport(flags.checkpoint, flags.out, list(flags.variants), !!flags.force, io);
    if (format === 'gguf') return await ggufExport(flags.checkpoint, flags.out, flags['gguf-type'], !!flags.force, io);
    if (format !== 'hf') throw new ConfigError(`export: --format must be hf, onnx or gguf (got "${format}")`);
    const r = await exportHf({ checkpoint: flags.checkpoint, out: flags.out, language: list(flags.language), license: flags.license, datasets: list(flags.dataset), force: !!flags.force });
    const cls = r.family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel';
    io.stdout.write(`exported ${r.checkpoint} as ${cls} to ${r.out} (${r.exportedParams.toLocaleString('en-US')} parameters; ${r.params.toLocaleString('en-US')} in Versiflow's form)\n`);
    io.stdout.write(`  files: ${r.files.join(', ')}\n`);
    for (const n of r.notes) io.stdout.write(`  note: ${n}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`export: ${e.message}\n${EXPORT_HELP}\n`);
      return 2;
    }
    return reportError(e, io);
  }
}

const VARIANTS: readonly OnnxWeights[] = ['fp32', 'fp16', 'int8'];

const size = (b: number): string => (b >= 2 ** 20 ? `${(b / 2 ** 20).toFixed(1)} MiB` : b >= 1024 ? `${(b / 1024).toFixed(1)} KiB` : `${b} B`);

/** `--format onnx`: writes the folder and prints the family, each file with its size, and the notes. */
async function onnxExport(checkpoint: string, out: string, variants: string[] | undefined, force: boolean, io: CliIO): Promise<number> {
  const bad = (variants ?? []).filter((v) => !VARIANTS.includes(v as OnnxWeights));
  if (bad.length) throw new ConfigError(`export: --variants takes fp32, fp16, int8 (comma-separated); got ${bad.join(', ')}`);
  const r = await exportOnnx(checkpoint, out, { variants: variants as OnnxWeights[] | undefined, force });
  const cls = r.family === 'llama' ? 'LlamaForCausalLM' : 'GPT2LMHeadModel';
  io.stdout.write(`exported ${r.checkpoint} as an ONNX ${cls} decoder (model_type ${r.family}, opset 14, past key values) to ${r.out}\n`);
  for (const f of r.files) io.stdout.write(`  ${f.path}  ${size(f.bytes)}\n`);
  for (const n of r.notes) io.stdout.write(`  note: ${n}\n`);
  return 0;
}
