import { ConfigError } from '../core/errors/ConfigError.ts';
import type { OnnxWeights } from '../model/formats/onnx/weightStorage.ts';
import type { CliIO } from './io.ts';
import { parseStrict } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { buildWeb } from './ship/buildWeb.ts';

export const BUILD_WEB_HELP = `versiflow build-web --checkpoint PATH --out DIR [--weights fp16|int8|fp32 --force]
      a static site: the poem generated in the browser by transformers.js (WebGPU or wasm), sampling controls, a watermark check (docs/ship.md)`;

const WEIGHTS = ['fp16', 'int8', 'fp32'] as const;

/** `versiflow build-web`: see buildWeb. Prints the site's files and sizes and how to serve it. */
export async function buildWebCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseStrict(args, { values: ['checkpoint', 'out', 'weights'], booleans: ['force', 'help'] });
    if (flags.help) {
      io.stdout.write(`${BUILD_WEB_HELP}\n`);
      return 0;
    }
    if (!flags.checkpoint) throw new ConfigError('build-web: --checkpoint PATH is required (a checkpoint or run directory)');
    if (!flags.out) throw new ConfigError('build-web: --out DIR is required (the site folder to write)');
    const weights = (flags.weights ?? 'fp16') as OnnxWeights;
    if (!WEIGHTS.includes(weights)) throw new ConfigError(`build-web: --weights must be one of ${WEIGHTS.join(', ')} (got "${flags.weights}")`);
    const r = await buildWeb(flags.checkpoint, flags.out, { weights, force: !!flags.force });
    const total = r.files.reduce((n, f) => n + f.bytes, 0);
    io.stdout.write(`wrote a static site to ${r.out} (${(total / 2 ** 20).toFixed(1)} MiB, ${r.site.dtype} weights, watermark check: ${r.site.scheme})\n`);
    for (const f of r.files) io.stdout.write(`  ${f.path}  ${f.bytes.toLocaleString('en-US')} bytes\n`);
    io.stdout.write(`  serve it with any static server, e.g. cd ${r.out} && python3 -m http.server 8000, and open http://localhost:8000/\n`);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
