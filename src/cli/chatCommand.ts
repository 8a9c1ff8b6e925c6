import { createInterface } from 'node:readline';
import { ConfigError } from '../core/errors/ConfigError.ts';
import { hasChatTokens } from '../model/tokenizer/chatTemplate.ts';
import { withModel } from '../pipeline/withModel.ts';
import { connectGenerate } from '../streams/feed/generateClient.ts';
import { localEngine, remoteEngine } from './chatEngines.ts';
import { type ChatEngine, type ChatSettings, runChat } from './chatSession.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from './generationFlags.ts';
import type { CliIO } from './io.ts';
import { withRecommendedDecoding } from './recommendedDefaults.ts';
import { backendFlag, parseArgs, rejectUnknownFlags } from './parseArgs.ts';
import { reportError } from './reportError.ts';
import { localTokenSource } from './tokenSource.ts';

const KNOWN = ['checkpoint', 'connect', 'backend', 'system', ...GENERATION_FLAGS];

/**
 * `versiflow chat (--checkpoint PATH | --connect ws://HOST:PORT)`: a terminal chat (readline) that
 * streams each answer as it is generated, with slash commands for the sampling settings and tokens/s
 * after each answer. A model with the chat tokens gets the conversation through its chat template
 * (`--system TEXT` sets the system prompt; the oldest turns are dropped to fit the context; answers end
 * at <|end|>); other models get the plain transcript. `input` is injectable for tests (default stdin).
 */
export async function chatCommand(args: readonly string[], io: CliIO, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  let engine: ChatEngine | undefined;
  try {
    const parsed = parseArgs(args, [], ['no-repeat-ngram']);
    const all = parsed.all;
    rejectUnknownFlags(parsed.flags, KNOWN, 'chat');
    if (!!parsed.flags.checkpoint === !!parsed.flags.connect) throw new ConfigError('chat: give --checkpoint PATH (run the model here) or --connect ws://HOST:PORT (a versiflow serve)');
    const flags = withRecommendedDecoding(parsed.flags, parsed.flags.checkpoint, io);
    const settings: ChatSettings = {
      temperature: numberFlag(flags, 'temperature', 0.8, 'chat'),
      topK: numberFlag(flags, 'top-k', 40, 'chat'),
      topP: numberFlag(flags, 'top-p', 1, 'chat'),
      maxTokens: numberFlag(flags, 'max-new-tokens', 200, 'chat'),
      watermark: flags.watermark !== undefined && flags.watermark !== 'off',
      seed: flags.seed === undefined ? undefined : numberFlag(flags, 'seed', 0, 'chat'),
      ...(flags.system === undefined ? {} : { system: flags.system }),
    };
    const chat = async (e: ChatEngine) => {
      engine = e;
      const rl = createInterface({ input, terminal: false });
      await runChat(rl, io.stdout, e, settings);
      rl.close();
    };
    if (flags.connect) await chat(remoteEngine(await connectGenerate(flags.connect)));
    else
      await withModel(flags.checkpoint, { backend: backendFlag(flags, 'chat'), warn: (w) => io.stderr.write(`warning: ${w}\n`) }, (m) =>
        chat(localEngine(localTokenSource({ weights: m.weights, config: m.gpt, tokenizer: m.tokenizer }, generationOptions(flags, m.gpt.vocabSize, 'chat', all)), undefined, hasChatTokens(m.tokenizer))),
      );
    return 0;
  } catch (e) {
    return reportError(e, io);
  } finally {
    engine?.close();
  }
}
