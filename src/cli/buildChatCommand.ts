import { ConfigError } from '../core/errors/ConfigError.ts';
import type { OnnxWeights } from '../model/formats/onnx/weightStorage.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { buildChat, HOST_TARGET } from './ship/buildChat.ts';

export const BUILD_CHAT_HELP = `versiflow build-chat --checkpoint PATH --out FILE [--weights int8|fp16|fp32 --target ${HOST_TARGET} --force]
      one executable file (Node single executable + onnxruntime + the ONNX export) with the chat REPL and --prompt; needs no Node (docs/ship.md);
      --weights int8 (default: int8 GEMMs, the fastest load; \`eval perplexity --onnx int8\` measures its quality)`;

const WEIGHTS = ['fp16', 'int8', 'fp32'] as const;
const MiB = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

/** `versiflow build-chat`: see buildChat. Prints the file, its size and what it holds. */
export async function buildChatCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseStrict(args, { values: ['checkpoint', 'out', 'weights', 'target'], booleans: ['help', 'force'] });
    if (flags.help) {
      io.stdout.write(`${BUILD_CHAT_HELP}\n`);
      return 0;
    }
    if (!flags.checkpoint) throw new ConfigError('build-chat: --checkpoint PATH is required (a checkpoint or run directory)');
    if (!flags.out) throw new ConfigError('build-chat: --out FILE is required (the executable to write)');
    const weights = (flags.weights ?? 'int8') as OnnxWeights;
    if (!WEIGHTS.includes(weights)) throw new ConfigError(`build-chat: --weights must be one of ${WEIGHTS.join(', ')} (got "${flags.weights}")`);
    const r = await buildChat(flags.checkpoint, flags.out, { weights, target: flags.target, force: !!flags.force, log: (l) => io.stderr.write(`${l}\n`) });
    const p = r.parts;
    io.stdout.write(`wrote ${r.out} (${MiB(r.bytes)}): node ${MiB(p.node)}, onnxruntime ${MiB(p.runtime)}, ${r.manifest.weights} weights ${MiB(p.weights)}, client ${MiB(p.client)}\n`);
    for (const s of r.manifest.sources) io.stdout.write(`  ${s}\n`);
    io.stdout.write(`  run it: ${r.out} --prompt "..."   or   ${r.out}   (a chat; /help)\n`);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
