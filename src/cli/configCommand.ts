import { loadConfig } from '../pipeline/loadConfig.ts';
import { CONFIG_SPEC, toSnake } from '../core/config/schema.ts';
import type { CliIO } from './io.ts';
import { parseArgs, takeFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

/** `versiflow config [--config NAME] [--KEY VALUE]`: every key, its resolved value and what it means. */
export async function configCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseArgs(args);
    const { config: name = 'tiny' } = takeFlags(flags, ['config']);
    const cfg = loadConfig(name, flags);
    for (const [key, spec] of Object.entries(CONFIG_SPEC)) {
      const v = (cfg as Record<string, unknown>)[key];
      const allowed = 'oneOf' in spec && spec.oneOf ? ` [${spec.oneOf.join('|')}]` : '';
      io.stdout.write(`${toSnake(key).padEnd(18)} ${JSON.stringify(v).padEnd(26)} # ${spec.doc}${allowed} (default ${JSON.stringify(spec.default)})\n`);
    }
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
