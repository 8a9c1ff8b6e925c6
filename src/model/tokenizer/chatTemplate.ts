import type { Tokenizer } from './types.ts';

/**
 * Versiflow's chat format. Every turn renders as
 *
 *   <|{role}|>\n{content, trimmed}<|end|>\n
 *
 * and `addGenerationPrompt` appends `<|assistant|>\n`. No BOS/EOS is added by the template. The newline
 * after the role header belongs to the header: the trained span of an assistant turn is its content
 * and the closing `<|end|>` (TRL's assistant-only loss trains content and end-of-turn, never the role
 * header); the newline after `<|end|>` is not trained either (generation stops at `<|end|>`).
 * A system prompt passed as `systemPrompt` is a system turn put first when the turns have none.
 */
export const CHAT_TOKENS = ['<|system|>', '<|user|>', '<|assistant|>', '<|end|>'] as const;

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatTurn {
  readonly role: ChatRole;
  readonly content: string;
}

export interface ChatRenderOptions {
  /** Append the assistant header so a model continues with the assistant's answer. @default false */
  readonly addGenerationPrompt?: boolean;
  /** Put first as a system turn when `turns` do not start with one. */
  readonly systemPrompt?: string;
}

/**
 * The same format as a Jinja `chat_template` (tokenizer_config.json), rendered by Transformers and
 * @huggingface/jinja with `messages` and `add_generation_prompt`; `{%-`/`{{-` make trim_blocks and
 * lstrip_blocks irrelevant. `renderChat` equals it (test/model/tokenizer/chatTemplate.test.ts).
 */
export const CHAT_TEMPLATE =
  "{%- for message in messages %}" +
  "{{- '<|' + message['role'] + '|>\\n' + (message['content'] | trim) + '<|end|>\\n' }}" +
  "{%- endfor %}" +
  "{%- if add_generation_prompt %}{{- '<|assistant|>\\n' }}{%- endif %}";

const ROLES: readonly ChatRole[] = ['system', 'user', 'assistant'];
const END = '<|end|>';

function withSystem(turns: readonly ChatTurn[], systemPrompt: string | undefined): readonly ChatTurn[] {
  for (const t of turns) {
    if (!ROLES.includes(t.role)) throw new Error(`chat turn has role "${String(t.role)}"; expected one of ${ROLES.join(', ')}`);
  }
  if (systemPrompt === undefined || turns[0]?.role === 'system') return turns;
  return [{ role: 'system', content: systemPrompt }, ...turns];
}

function header(role: ChatRole): string {
  return `<|${role}|>`;
}

/** Turns → the text the chat template renders (see {@link CHAT_TEMPLATE}). */
export function renderChat(turns: readonly ChatTurn[], opts: ChatRenderOptions = {}): string {
  let out = '';
  for (const t of withSystem(turns, opts.systemPrompt)) out += `${header(t.role)}\n${t.content.trim()}${END}\n`;
  if (opts.addGenerationPrompt) out += `${header('assistant')}\n`;
  return out;
}

/** The id of a single special token, or -1 when it is not one atomic special token of `tokenizer`. */
export function specialTokenId(tokenizer: Tokenizer, token: string): number {
  const ids = tokenizer.encode(token);
  if (ids.length !== 1 || tokenizer.decode(ids) !== '') return -1;
  return ids[0];
}

/** True when all four {@link CHAT_TOKENS} are atomic special tokens of `tokenizer`. */
export function hasChatTokens(tokenizer: Tokenizer): boolean {
  return CHAT_TOKENS.every((t) => specialTokenId(tokenizer, t) >= 0);
}

/**
 * Turns → ids of {@link renderChat}'s text (equal to `tokenizer.encode` of it, after the BOS when the
 * tokenizer adds one, as every document starts) and a mask aligned with
 * the ids: 1 on an assistant turn's content tokens and its closing `<|end|>`, 0 elsewhere (role headers
 * with their newline, system and user turns, the newline after `<|end|>`). Throws when the tokenizer
 * lacks the chat tokens (extend it with `withChatTokens`).
 */
export function encodeChat(tokenizer: Tokenizer, turns: readonly ChatTurn[], opts: ChatRenderOptions = {}): { ids: number[]; mask: Uint8Array } {
  const special = new Map<string, number>();
  for (const t of CHAT_TOKENS) {
    const id = specialTokenId(tokenizer, t);
    if (id < 0) throw new Error(`the tokenizer has no atomic special token ${t}: extend it with the chat tokens (versiflow train --task sft --init-from adds them)`);
    special.set(t, id);
  }
  const newline = tokenizer.encode('\n');
  const ids: number[] = tokenizer.addBos ? [tokenizer.bosId] : []; // a conversation is a document: BOS first when the model trains with one
  const mask: number[] = ids.map(() => 0);
  const push = (part: readonly number[], m: number): void => {
    for (const id of part) {
      ids.push(id);
      mask.push(m);
    }
  };
  for (const t of withSystem(turns, opts.systemPrompt)) {
    const trained = t.role === 'assistant' ? 1 : 0;
    push([special.get(header(t.role))!], 0);
    const body = tokenizer.encode(`\n${t.content.trim()}`);
    const headerTokens = leadingNewlineTokens(tokenizer, body);
    push(body.slice(0, headerTokens), 0);
    push(body.slice(headerTokens), trained);
    push([special.get(END)!], trained);
    push(newline, 0);
  }
  if (opts.addGenerationPrompt) {
    push([special.get(header('assistant'))!], 0);
    push(newline, 0);
  }
  return { ids, mask: Uint8Array.from(mask) };
}

/** How many leading tokens of `ids` decode to the header's "\n" alone (a token reaching into the content is trained). */
function leadingNewlineTokens(tokenizer: Tokenizer, ids: readonly number[]): number {
  for (let k = 1; k <= ids.length; k++) {
    const text = tokenizer.decode(ids.slice(0, k));
    if (text !== '\n' && text !== '') return k - 1;
    if (text === '\n') return k;
  }
  return ids.length;
}
