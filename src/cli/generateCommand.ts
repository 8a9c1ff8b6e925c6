import { normalizeConfig } from '../config/normalizeConfig.ts';
import { ConfigError } from '../errors/ConfigError.ts';
import { setupBackend, type BackendChoice } from '../model/backend/setupBackend.ts';
import { generateIds } from '../model/generate.ts';
import { disposeWeights } from '../model/gpt.ts';
import { Rng } from '../model/rng.ts';
import { loadModel } from '../pipeline/loadModel.ts';
import type { CliIO } from './io.ts';
import { parseArgs } from './parseArgs.ts';
import { reportError } from './reportError.ts';

const KNOWN = ['checkpoint', 'prompt', 'max-new-tokens', 'temperature', 'top-k', 'seed', 'backend'];

/** `versiflow generate --checkpoint PATH [--prompt TEXT ...]`: streams the continuation to stdout. */
export async function generateCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags } = parseArgs(args);
    for (const k of Object.keys(flags)) if (!KNOWN.includes(k)) throw new ConfigError(`generate: unknown flag --${k}; known: ${KNOWN.map((x) => `--${x}`).join(' ')}`);
    if (!flags.checkpoint) throw new ConfigError('generate: --checkpoint PATH is required (a checkpoint or run directory)');
    // the sampling flags share the config's names, types and bounds
    const o = normalizeConfig(
      {
        temperature: flags.temperature ?? 0.8,
        top_k: flags['top-k'] ?? 40,
        seed: flags.seed ?? 1337,
        sample_tokens: flags['max-new-tokens'] ?? 200,
        backend: flags.backend ?? 'auto',
      },
      'command line',
    );
    await setupBackend(o.backend as BackendChoice);
    const m = await loadModel(flags.checkpoint);
    const prompt = flags.prompt ?? '';
    const promptIds = prompt ? m.tokenizer.encode(prompt) : [Math.max(0, m.tokenizer.eosId)];
    const decode = m.tokenizer.decoder();
    io.stdout.write(prompt);
    await generateIds(m.weights, m.gpt, promptIds, o.sampleTokens, { temperature: o.temperature, topK: o.topK }, new Rng(o.seed), m.tokenizer.eosId, (id) =>
      io.stdout.write(decode(id)),
    );
    io.stdout.write('\n');
    disposeWeights(m.weights);
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
