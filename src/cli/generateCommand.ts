import { ConfigError } from '../core/errors/ConfigError.ts';
import { generateTokens } from '../model/nn/generate.ts';
import { withModel } from '../pipeline/withModel.ts';
import { GENERATION_FLAGS, generationOptions } from './generationFlags.ts';
import { withRecommendedDecoding } from './recommendedDefaults.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

const KNOWN = ['checkpoint', 'prompt', 'backend', ...GENERATION_FLAGS];

export const GENERATE_HELP = `versiflow generate --checkpoint PATH [--prompt TEXT] [options]
  --max-new-tokens N (200)  --temperature T (0.8; 0 = greedy)  --top-k K (40; 0 = off)  --top-p P (1 = off)
  --repetition-penalty R (1)  --no-repeat-ngram N (0)  --min-new-tokens N (0)  --stop S ('\\n' escapes; repeat for several)
  --seed S (1337)  --watermark poetru|keyed|lefthash  --watermark-key K  --no-cache  --backend auto|wasm|cpu|...`;

/**
 * `versiflow generate --checkpoint PATH [--prompt TEXT ...]`: streams the prompt and its
 * continuation to stdout token by token (KV cache on unless --no-cache); a summary line with
 * tokens/s goes to stderr.
 */
export async function generateCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags, all } = parseArgs(args, [], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, 'generate');
    if (!flags.checkpoint) throw new ConfigError('generate: --checkpoint PATH is required (a checkpoint or run directory)');
    await withModel(flags.checkpoint, { backend: backendFlag(flags, 'generate'), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const opts = generationOptions(withRecommendedDecoding(flags, flags.checkpoint, io), m.gpt.vocabSize, 'generate', all);
      const prompt = flags.prompt ?? '';
      io.stdout.write(prompt);
      const t0 = performance.now();
      let n = 0;
      let green = 0;
      for await (const t of generateTokens({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, prompt, opts)) {
        io.stdout.write(t.text);
        n++;
        if (t.green) green++;
      }
      const s = (performance.now() - t0) / 1000;
      io.stdout.write('\n');
      const wm = opts.watermark ? `, ${green} green (${opts.watermark.name})` : '';
      io.stderr.write(`[${n} tokens in ${s.toFixed(2)} s, ${(n / s).toFixed(1)} tok/s${opts.cache ? '' : ', no cache'}${wm}]\n`);
    });
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
