import type { ChatTurn } from '../model/tokenizer/chatTemplate.ts';
import type { ClientGenerateOptions, GeneratePrompt } from '../streams/feed/generateProtocol.ts';

/** One answer being generated: `done` resolves when it ends (also after cancel). */
export interface ChatAnswer {
  readonly done: Promise<{ readonly tokens: number; readonly tokPerSec: number; readonly finish: string }>;
  cancel(): void;
}

/** Where a chat's answers come from: the model in this process, or a `versiflow serve` over WebSocket. */
export interface ChatEngine {
  /** The model has the chat tokens: the chat sends its turns (rendered by the chat template, ended at <|end|>), not a transcript. */
  readonly chat?: boolean;
  generate(prompt: GeneratePrompt, options: ClientGenerateOptions, onText: (text: string) => void): ChatAnswer;
  close(): void;
}

/** Settings the slash commands change. */
export interface ChatSettings {
  temperature: number;
  topK: number;
  topP: number;
  maxTokens: number;
  watermark: boolean;
  /** undefined: a new seed per answer (1337, 1338, ...), so answers differ; set: every answer uses it. */
  seed: number | undefined;
  /** System prompt of a chat model's conversation (--system, /system); kept when old turns are dropped. */
  system?: string;
}

export const CHAT_HELP = `commands:
  /temperature T   /top_k K   /top_p P   /max_tokens N   /watermark on|off   /seed S|off
  /system TEXT|off (chat models: the system prompt)   /reset (forget the conversation)   /help   /quit
anything else is sent to the model; the conversation so far is the prompt (for a model with chat tokens,
rendered by its chat template, oldest turns dropped to fit the context, the answer ending at <|end|>).
`;

const num = (arg: string, ok: (v: number) => boolean): number | undefined => {
  const v = Number(arg);
  return arg.trim() !== '' && Number.isFinite(v) && ok(v) ? v : undefined;
};

/** One per slash command that changes a setting: the change, or what the argument should have been. */
const SETTERS: Record<string, (arg: string) => Partial<ChatSettings> | string> = {
  temperature: (a) => ((v) => (v === undefined ? 'a number ≥ 0' : { temperature: v }))(num(a, (v) => v >= 0)),
  top_k: (a) => ((v) => (v === undefined ? 'an integer ≥ 0 (0 = off)' : { topK: v }))(num(a, (v) => Number.isInteger(v) && v >= 0)),
  top_p: (a) => ((v) => (v === undefined ? 'a number in (0, 1]' : { topP: v }))(num(a, (v) => v > 0 && v <= 1)),
  max_tokens: (a) => ((v) => (v === undefined ? 'an integer > 0' : { maxTokens: v }))(num(a, (v) => Number.isInteger(v) && v > 0)),
  watermark: (a) => (a === 'on' || a === 'off' ? { watermark: a === 'on' } : 'on or off'),
  seed: (a) => (a === 'off' ? { seed: undefined } : ((v) => (v === undefined ? 'an integer, or off' : { seed: v }))(num(a, Number.isInteger))),
  system: (a) => (a === '' ? 'a text, or off' : { system: a === 'off' ? undefined : a }),
};

/**
 * A line-based chat: each line is a slash command or a message. A message is appended to the
 * conversation, the conversation is the prompt, the answer streams to `out` as it is generated and is
 * appended too; then `(N tokens, X tok/s)`. For a chat engine the conversation is a list of turns
 * (with settings.system), otherwise a plain transcript. Returns at /quit or when `lines` ends.
 */
export async function runChat(lines: AsyncIterable<string>, out: { write(s: string): unknown }, engine: ChatEngine, settings: ChatSettings): Promise<void> {
  let transcript = '';
  let turns: ChatTurn[] = [];
  let answers = 0;
  out.write('versiflow chat — /help for commands\n> ');
  for await (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('/')) {
      const [cmd, ...rest] = line.slice(1).trim().split(/\s+/);
      const arg = rest.join(' ');
      if (cmd === 'quit' || cmd === 'exit') break;
      if (cmd === 'help') out.write(CHAT_HELP);
      else if (cmd === 'reset') {
        transcript = '';
        turns = [];
        out.write('(conversation cleared)\n');
      } else if (SETTERS[cmd]) {
        const change = SETTERS[cmd](arg);
        if (typeof change === 'string') out.write(`/${cmd} needs ${change}; got "${arg}"\n`);
        else {
          Object.assign(settings, change);
          out.write(`(${cmd} = ${arg})\n`);
        }
      } else out.write(`unknown command /${cmd}; /help lists them\n`);
      out.write('> ');
      continue;
    }
    if (line.trim() === '') {
      out.write('> ');
      continue;
    }
    transcript += `${line}\n`;
    turns.push({ role: 'user', content: line });
    const options: ClientGenerateOptions = {
      temperature: settings.temperature,
      topK: settings.topK,
      topP: settings.topP,
      maxNewTokens: settings.maxTokens,
      watermark: settings.watermark,
      seed: settings.seed ?? 1337 + answers,
    };
    answers++;
    let answer = '';
    const prompt: GeneratePrompt = engine.chat ? { messages: [...turns], ...(settings.system === undefined ? {} : { system: settings.system }) } : transcript;
    const { done } = engine.generate(prompt, options, (text) => {
      answer += text;
      out.write(text);
    });
    try {
      const r = await done;
      transcript += `${answer}\n`;
      turns.push({ role: 'assistant', content: answer });
      out.write(`\n(${r.tokens} tokens, ${r.tokPerSec.toFixed(1)} tok/s)\n> `);
    } catch (e) {
      turns.pop(); // the message got no answer: leave it out of the conversation
      out.write(`\nerror: ${(e as Error).message}\n> `);
    }
  }
  out.write('\n');
}
