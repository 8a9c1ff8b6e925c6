import { ConfigError } from '../core/errors/ConfigError.ts';
import { UsageError } from '../core/errors/UsageError.ts';
import { importModel } from '../pipeline/import/importModel.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';

export const IMPORT_HELP = `versiflow import --from DIR|ckpt.pt --out RUN_DIR [--tokenizer tokenizer.json|meta.pkl --name NAME]
      a Transformers Llama/GPT-2 folder or a nanoGPT ckpt.pt → a Versiflow run directory (generate, eval, train --config RUN_DIR/config.yaml)`;

/**
 * `versiflow import`: writes RUN_DIR/checkpoints/step-0000000, RUN_DIR/tokenizer.json and
 * RUN_DIR/config.yaml; prints what it wrote and every way the import is not exact (warnings).
 */
export async function importCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseStrict(args, { values: ['from', 'out', 'tokenizer', 'name'], booleans: ['help'] });
    if (flags.help) {
      io.stdout.write(`${IMPORT_HELP}\n`);
      return 0;
    }
    if (!flags.from) throw new ConfigError('import: --from DIR|ckpt.pt is required (a Transformers folder or a nanoGPT checkpoint)');
    if (!flags.out) throw new ConfigError('import: --out RUN_DIR is required');
    const r = await importModel({ from: flags.from, out: flags.out, tokenizer: flags.tokenizer, name: flags.name });
    for (const w of r.warnings) io.stderr.write(`warning: ${w}\n`);
    io.stdout.write(`imported ${flags.from} (${r.kind}, ${r.params.toLocaleString('en-US')} parameters) to ${r.checkpoint}\n`);
    io.stdout.write(`  generate: versiflow generate --checkpoint ${r.out} --prompt "..."\n  fine-tune: versiflow train --config ${r.configFile} --data CORPUS\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`import: ${e.message}\n${IMPORT_HELP}\n`);
      return 2;
    }
    return reportError(e, io);
  }
}
