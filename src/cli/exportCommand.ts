import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { exportHf } from '../pipeline/export/exportHf.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const EXPORT_HELP = `versiflow export --checkpoint PATH --format hf --out DIR [--language ru,en --license mit --dataset NAME,... --force]
      a Hugging Face Transformers folder (LlamaForCausalLM or GPT2LMHeadModel, safetensors, tokenizer, model card)`;

/** Formats of issue 16 not written yet, with what to use meanwhile. */
const LATER: Readonly<Record<string, string>> = {
  onnx: 'ONNX export is not implemented yet; export --format hf and convert with Optimum (optimum-cli export onnx)',
  gguf: 'GGUF export is not implemented yet; export --format hf and convert with llama.cpp\'s convert_hf_to_gguf.py',
};

/**
 * `versiflow export --format hf`: a checkpoint (or a run directory's newest) → a Transformers folder.
 * Prints the family, the files and how the weights' form changed. Exit 2 for a usage or config problem
 * (including an architecture with no faithful Transformers class, named by key).
 */
export async function exportCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseStrict(args, { values: ['checkpoint', 'format', 'out', 'language', 'license', 'dataset'], booleans: ['force', 'help'] });
    if (flags.help) {
      io.stdout.write(`${EXPORT_HELP}\n`);
      return 0;
    }
    if (!flags.checkpoint) throw new ConfigError('export: --checkpoint PATH is required (a checkpoint or run directory)');
    if (!flags.out) throw new ConfigError('export: --out DIR is required');
    const format = flags.format ?? 'hf';
    if (LATER[format]) throw new ConfigError(`export: ${LATER[format]}`);
    if (format !== 'hf') throw new ConfigError(`export: --format must be hf (got "${format}")`);
    const list = (s?: string) => (s ? s.split(',').map((x) => x.trim()).filter(Boolean) : undefined);
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
