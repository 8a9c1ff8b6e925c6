import { createInterface } from 'node:readline';
import { ConfigError } from '../../core/errors/ConfigError.ts';
import { chatBudget, chatPromptIds, chatStopIds } from '../../model/tokenizer/chatPrompt.ts';
import { tokenizerFromJSON } from '../../model/tokenizer/loadTokenizer.ts';
import { localEngine } from '../chatEngines.ts';
import { type ChatSettings, runChat } from '../chatSession.ts';
import { GENERATION_FLAGS, generationOptions, numberFlag } from '../generationFlags.ts';
import type { CliIO } from '../io.ts';
import { writeTokens } from '../writeTokens.ts';
import { parseArgs, rejectUnknownFlags } from '../parseArgs.ts';
import { reportError } from '../reportError.ts';
import { OnnxDecoder, type OrtModule } from './onnxDecoder.ts';
import { onnxGenerate } from './onnxGenerate.ts';
import { onnxTokenSource } from './onnxTokenSource.ts';
import type { PoetManifest } from './shipManifest.ts';
import { promptIds } from '../../model/tokenizer/documentIds.ts';

/** What the poet reads: its manifest, the .onnx bytes, and a way to load onnxruntime. */
export interface PoetAssets {
  readonly manifest: PoetManifest;
  model(): Uint8Array;
  ort(): Promise<OrtModule>;
}

const KNOWN = ['prompt', 'system', 'help', 'version', 'bench', ...GENERATION_FLAGS.filter((f) => f !== 'cache')];

export const POET_HELP = `usage: poet [--prompt TEXT] [options]      (no --prompt: a chat; /help lists its commands)
  --max-new-tokens N  --temperature T (0 = greedy)  --top-k K  --top-p P  --repetition-penalty R
  --no-repeat-ngram N  --min-new-tokens N  --stop S  --seed S  --watermark poetru|keyed|lefthash|off
  --watermark-key K  --system TEXT (chat models)  --version  --help
`;

/**
 * The single-executable poet (`versiflow build-chat`): `--prompt TEXT` prints one answer (a chat model:
 * the prompt is a user message through the chat template and only the answer is printed; otherwise the
 * prompt and its continuation, as `versiflow generate`), then `[N tokens in S s, X tok/s]` on stderr;
 * without --prompt, the REPL of `versiflow chat`. The manifest's defaults (recommended decoding, the
 * training watermark) fill flags not given. `--bench N`: N tokens after the prompt, EOS ignored, and one
 * JSON line of timings instead of text: {startMs (process start → this function: Node's start and the client's
 * evaluation), loadMs (→ decoder ready), loadCpuMs (CPU time of the load, all threads), tokenizerMs, runtimeMs (of which:
 * onnxruntime's native library written/found and loaded), sessionMs (of which: the session made), ttftMs, tokPerSec}.
 */
export async function runPoet(args: readonly string[], io: CliIO, assets: PoetAssets, input: NodeJS.ReadableStream = process.stdin): Promise<number> {
  try {
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const parsed = parseArgs(args, ['help', 'version'], ['no-repeat-ngram']);
    rejectUnknownFlags(parsed.flags, KNOWN, 'poet');
    const m = assets.manifest;
    if (parsed.flags.help === 'true') return void io.stdout.write(POET_HELP), 0;
    if (parsed.flags.version === 'true') {
      io.stdout.write(`versiflow poet: ${m.checkpoint}, ${m.weights} weights, onnxruntime ${m.ortVersion}\n${m.sources.map((s) => `  ${s}\n`).join('')}`);
      return 0;
    }
    const flags = { ...m.defaults, ...parsed.flags };
    if (flags.watermark === 'off') delete flags['watermark-key'];
    const tTokenizer = performance.now();
    const tokenizer = tokenizerFromJSON(m.tokenizer);
    const tokenizerMs = performance.now() - tTokenizer;
    const opts = generationOptions(flags, m.shape.vocabSize, 'poet', parsed.all);
    const tOrt = performance.now();
    const ort = await assets.ort();
    const tSession = performance.now();
    const decoder = await OnnxDecoder.load(ort, assets.model(), m.shape, { format: m.modelFormat, prepack: m.prepack });
    const loadMs = performance.now() - t0;
    const loadCpu = process.cpuUsage(cpu0);

    if (flags.bench !== undefined) {
      const n = numberFlag(flags, 'bench', 64, 'poet');
      const ids = promptIds(tokenizer, flags.prompt ?? 'the');
      let ttftMs = 0;
      const t1 = performance.now();
      let count = 0;
      for await (const _ of onnxGenerate(decoder, tokenizer, ids, { ...opts, maxNewTokens: n, eosIds: [] })) if (count++ === 0) ttftMs = performance.now() - t1;
      const rest = (performance.now() - t1 - ttftMs) / 1000;
      const phases = { startMs: Math.round(t0), tokenizerMs: Math.round(tokenizerMs), runtimeMs: Math.round(tSession - tOrt), sessionMs: Math.round(t0 + loadMs - tSession) };
      io.stdout.write(`${JSON.stringify({ ...phases, loadMs: Math.round(loadMs), loadCpuMs: Math.round((loadCpu.user + loadCpu.system) / 1000), ttftMs: Math.round(ttftMs), tokens: count, tokPerSec: +((count - 1) / rest).toFixed(2) })}\n`);
      return 0;
    }

    if (flags.prompt !== undefined) {
      const prompt = flags.prompt;
      const tokens = m.chat
        ? onnxGenerate(decoder, tokenizer, chatPromptIds(tokenizer, { messages: [{ role: 'user', content: prompt }], system: flags.system }, chatBudget(m.shape.context, opts.maxNewTokens)).ids, { ...opts, eosIds: chatStopIds(tokenizer) })
        : onnxGenerate(decoder, tokenizer, prompt, opts);
      if (!m.chat) io.stdout.write(prompt);
      const { n, green, seconds: s } = await writeTokens(tokens, io.stdout);
      const wm = opts.watermark ? `, ${green} green (${opts.watermark.name})` : '';
      io.stderr.write(`[${n} tokens in ${s.toFixed(2)} s, ${(n / s).toFixed(1)} tok/s, loaded in ${Math.round(loadMs)} ms${wm}]\n`);
      return 0;
    }

    if (flags.system !== undefined && !m.chat) throw new ConfigError('poet: --system needs a model with the chat tokens');
    const settings: ChatSettings = {
      temperature: opts.temperature,
      topK: opts.topK,
      topP: opts.topP ?? 1,
      maxTokens: opts.maxNewTokens,
      watermark: opts.watermark !== undefined,
      seed: parsed.flags.seed === undefined ? undefined : opts.seed,
      ...(flags.system === undefined ? {} : { system: flags.system }),
    };
    const rl = createInterface({ input, terminal: false });
    io.stderr.write(`(loaded in ${Math.round(loadMs)} ms${opts.watermark ? `; watermark ${opts.watermark.name} on, /watermark off to disable` : ''})\n`);
    await runChat(rl, io.stdout, localEngine(onnxTokenSource(decoder, tokenizer, opts), undefined, m.chat), settings);
    rl.close();
    return 0;
  } catch (e) {
    return reportError(e, io);
  }
}
