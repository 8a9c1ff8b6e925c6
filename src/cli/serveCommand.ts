import { ConfigError } from '../core/errors/ConfigError.ts';
import { hasChatTokens } from '../model/tokenizer/chatTemplate.ts';
import { withModel } from '../pipeline/withModel.ts';
import { type GenerateServerHandle, startGenerateServer } from '../streams/feed/generateServer.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from './generationFlags.ts';
import { withRecommendedDecoding } from './recommendedDefaults.ts';
import type { CliIO } from './io.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { localTokenSource } from './tokenSource.ts';

const KNOWN = ['checkpoint', 'port', 'host', 'backend', 'token', 'origins', 'max-clients', 'max-concurrent', 'max-queued', 'max-new-tokens-limit', ...GENERATION_FLAGS];

export interface ServeControl {
  /** Called once listening (tests read the port); resolve the returned promise to stop serving. Default: until SIGINT/SIGTERM. */
  readonly until?: (handle: GenerateServerHandle) => Promise<void>;
}

/**
 * `versiflow serve --checkpoint PATH [--port 8765 --host 127.0.0.1]`: generation over WebSocket
 * (docs/generate-protocol.md). The generation flags set the defaults each request may override. A
 * model with the chat tokens also takes conversations (`messages`), rendered by its chat template.
 *
 * Limits: `--token T` (required with a non-loopback --host), `--origins LIST` (browser origins allowed,
 * `*` = any), `--max-clients N` (64), `--max-concurrent N` (2 generations at once; later requests
 * queue), `--max-queued N` (32 waiting; more are refused), `--max-new-tokens-limit N` (1024, the most a
 * request may ask for); prompts are limited to the model's context.
 */
export async function serveCommand(args: readonly string[], io: CliIO, control: ServeControl = {}): Promise<number> {
  try {
    const { flags, all } = parseArgs(args, [], ['no-repeat-ngram']);
    rejectUnknownFlags(flags, KNOWN, 'serve');
    if (!flags.checkpoint) throw new ConfigError('serve: --checkpoint PATH is required (a checkpoint or run directory)');
    const port = numberFlag(flags, 'port', 8765, 'serve');
    const token = flags.token === 'true' ? '' : flags.token;
    if (flags.token !== undefined && !token) throw new ConfigError('serve: --token needs a value (the secret clients send as Authorization: Bearer T)');
    const maxNewTokensLimit = numberFlag(flags, 'max-new-tokens-limit', 1024, 'serve');
    await withModel(flags.checkpoint, { backend: backendFlag(flags, 'serve'), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, async (m) => {
      const defaults = generationOptions(withRecommendedDecoding(flags, flags.checkpoint, io), m.gpt.vocabSize, 'serve', all);
      if (defaults.maxNewTokens > maxNewTokensLimit) {
        throw new ConfigError(`serve: --max-new-tokens ${defaults.maxNewTokens} is above --max-new-tokens-limit ${maxNewTokensLimit}; raise the limit or lower the default`);
      }
      const source = localTokenSource({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, defaults);
      const handle = await startGenerateServer(source, {
        port,
        host: flags.host,
        model: { vocabSize: m.gpt.vocabSize, context: m.gpt.context, watermark: defaults.watermark?.name ?? null, chat: hasChatTokens(m.tokenizer) },
        token,
        origins: flags.origins,
        maxClients: numberFlag(flags, 'max-clients', 64, 'serve'),
        maxConcurrent: numberFlag(flags, 'max-concurrent', 2, 'serve'),
        maxQueued: numberFlag(flags, 'max-queued', 32, 'serve'),
        maxNewTokens: maxNewTokensLimit,
        countTokens: (prompt) => m.tokenizer.encode(prompt).length,
      });
      const l = handle.limits;
      io.stderr.write(
        `serving ${m.dir} on ${handle.url} (docs/generate-protocol.md)${token ? ', token required' : ''}; ` +
          `${l.maxConcurrent} generation(s) at once, ${l.maxQueued} may wait, prompts ≤ ${l.maxPromptTokens} tokens, max_new_tokens ≤ ${l.maxNewTokens}\n`,
      );
      await (control.until ?? untilSignal)(handle);
      await handle.close();
    });
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
