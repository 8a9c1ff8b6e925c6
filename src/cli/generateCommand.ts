import { ConfigError } from '../core/errors/ConfigError.ts';
import { generateTokens } from '../model/nn/generate.ts';
import { chatBudget, chatPromptIds, chatStopIds } from '../model/tokenizer/chatPrompt.ts';
import { hasChatTokens } from '../model/tokenizer/chatTemplate.ts';
import { withModel } from '../pipeline/withModel.ts';
import { GENERATION_FLAGS, generationOptions } from './generationFlags.ts';
import { withRecommendedDecoding } from './recommendedDefaults.ts';
import type { CliIO } from './io.ts';
import { writeTokens } from './writeTokens.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';

const KNOWN = ['checkpoint', 'prompt', 'backend', 'chat', 'system', ...GENERATION_FLAGS];

export const GENERATE_HELP = `versiflow generate --checkpoint PATH [--prompt TEXT] [options]
  --max-new-tokens N (200)  --temperature T (0.8; 0 = greedy)  --top-k K (40; 0 = off)  --top-p P (1 = off)
  --repetition-penalty R (1)  --no-repeat-ngram N (0)  --min-new-tokens N (0)  --stop S ('\\n' escapes; repeat for several)
  --seed S (1337)  --watermark poetru|keyed|lefthash  --watermark-key K  --no-cache  --backend auto|wasm|cpu|...
  --chat [--system TEXT]  a model with chat tokens: --prompt is a user message rendered by the chat template,
                          the answer (only) is printed and ends at <|end|>`;

/**
 * `versiflow generate --checkpoint PATH [--prompt TEXT ...]`: streams the prompt and its
 * continuation to stdout token by token (KV cache on unless --no-cache); a summary line with
 * tokens/s goes to stderr. With `--chat` (a model with the chat tokens), the prompt is a user message
 * (plus `--system TEXT`) rendered by the chat template, and only the answer is printed.
 */
export async function generateCommand(args: readonly string[], io: CliIO): Promise<number> {
  try {
    const { flags, all } = parseArgs(args, ['chat'], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, 'generate');
    if (!flags.checkpoint) throw new ConfigError('generate: --checkpoint PATH is required (a checkpoint or run directory)');
    await withModel(flags.checkpoint, { backend: backendFlag(flags, 'generate'), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const opts = generationOptions(withRecommendedDecoding(flags, flags.checkpoint, io), m.gpt.vocabSize, 'generate', all);
      const chat = flags.chat === 'true';
      if (!chat && flags.system !== undefined) throw new ConfigError('generate: --system needs --chat');
      if (chat && !hasChatTokens(m.tokenizer)) throw new ConfigError(`generate --chat: ${m.dir} has no chat tokens (<|user|> <|assistant|> <|end|>); fine-tune it with \`versiflow train --task sft --init-from ${m.dir}\``);
      const prompt = flags.prompt ?? '';
      const model = { weights: m.weights, config: m.gpt, tokenizer: m.tokenizer };
      const tokens = chat
        ? generateTokens(model, chatPromptIds(m.tokenizer, { messages: [{ role: 'user', content: prompt }], system: flags.system }, chatBudget(m.gpt.context, opts.maxNewTokens)).ids, { ...opts, eosIds: chatStopIds(m.tokenizer) })
        : generateTokens(model, prompt, opts);
      if (!chat) io.stdout.write(prompt);
      const { n, green, seconds: s } = await writeTokens(tokens, io.stdout);
      const wm = opts.watermark ? `, ${green} green (${opts.watermark.name})` : '';
      io.stderr.write(`[${n} tokens in ${s.toFixed(2)} s, ${(n / s).toFixed(1)} tok/s${opts.cache ? '' : ', no cache'}${wm}]\n`);
    });
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
