import type { RawData } from 'ws';
import type { ChatPrompt } from '../../model/tokenizer/chatPrompt.ts';

export type { ChatPrompt };

/** What a request continues: a text prompt, or a conversation the server renders with the model's chat template. */
export type GeneratePrompt = string | ChatPrompt;

/** Sampling options a client may send with `generate` (all optional; the server's defaults fill the rest). */
export interface ClientGenerateOptions {
  readonly maxNewTokens?: number;
  readonly temperature?: number;
  readonly topK?: number;
  readonly topP?: number;
  readonly repetitionPenalty?: number;
  readonly noRepeatNgramSize?: number;
  readonly minNewTokens?: number;
  readonly stop?: readonly string[];
  readonly seed?: number;
  /** Apply the server's watermark scheme. @default the server's --watermark setting */
  readonly watermark?: boolean;
}

export type GenerateClientMessage =
  | { readonly type: 'generate'; readonly id: string; readonly prompt: GeneratePrompt; readonly options: ClientGenerateOptions }
  | { readonly type: 'cancel'; readonly id: string };

/** What a server accepts (sent in `hello`); a request beyond them gets an `error`. */
export interface GenerateLimits {
  /** Most tokens a prompt may have: the model's context. */
  readonly maxPromptTokens: number;
  /** Largest `maxNewTokens` a request may ask for. */
  readonly maxNewTokens: number;
  /** Generations running at once, all clients together; later requests wait in order. */
  readonly maxConcurrent: number;
  /** Requests that may wait; beyond that a request gets an error (busy). */
  readonly maxQueued: number;
}

export type GenerateServerMessage =
  | { readonly type: 'hello'; readonly protocol: 2; readonly model: { readonly vocabSize: number; readonly context: number; readonly watermark: string | null; readonly chat?: boolean }; readonly limits: GenerateLimits }
  | { readonly type: 'queued'; readonly id: string; readonly position: number }
  | { readonly type: 'token'; readonly id: string; readonly text: string; readonly tokenId: number; readonly logprob: number; readonly green?: boolean }
  | { readonly type: 'done'; readonly id: string; readonly tokens: number; readonly tokPerSec: number; readonly finish: 'eos' | 'length' | 'stop' | 'cancelled' }
  | { readonly type: 'error'; readonly id?: string; readonly message: string };

const NUMBER_OPTIONS = ['maxNewTokens', 'temperature', 'topK', 'topP', 'repetitionPenalty', 'noRepeatNgramSize', 'minNewTokens', 'seed'] as const;

/** Parses and checks one client frame; `{error}` says what was wrong (sent back as an error message). */
export function parseGenerateMessage(data: RawData, isBinary: boolean): GenerateClientMessage | { error: string; id?: string } {
  if (isBinary) return { error: 'binary frames are not understood; send JSON text' };
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(String(data)) as Record<string, unknown>;
  } catch {
    return { error: 'not JSON; send {"type":"generate","id":"1","prompt":"...","options":{}}' };
  }
  if (typeof m !== 'object' || m === null) return { error: 'a message must be a JSON object' };
  const id = typeof m.id === 'number' ? String(m.id) : m.id;
  if (typeof id !== 'string' || id === '') return { error: `"id" must be a non-empty string or a number (message type ${JSON.stringify(m.type)})` };
  if (m.type === 'cancel') return { type: 'cancel', id };
  if (m.type !== 'generate') return { id, error: `unknown message type ${JSON.stringify(m.type)}; known: generate, cancel` };
  let prompt: GeneratePrompt;
  if (m.messages !== undefined) {
    if (m.prompt !== undefined) return { id, error: 'send "prompt" (text) or "messages" (a conversation), not both' };
    const turns = m.messages;
    const bad = !Array.isArray(turns) ? -1 : turns.findIndex((t) => typeof t !== 'object' || t === null || !['system', 'user', 'assistant'].includes((t as Record<string, unknown>).role as string) || typeof (t as Record<string, unknown>).content !== 'string');
    if (!Array.isArray(turns) || bad >= 0) return { id, error: `"messages" must be a list of {"role": "system"|"user"|"assistant", "content": string}${bad >= 0 ? ` (message ${bad} is not)` : ''}` };
    if (m.system !== undefined && typeof m.system !== 'string') return { id, error: '"system" must be a string' };
    const list = turns as { role: 'system' | 'user' | 'assistant'; content: string }[];
    prompt = { messages: list.map((t) => ({ role: t.role, content: t.content })), ...(typeof m.system === 'string' ? { system: m.system } : {}) };
  } else if (typeof m.prompt !== 'string') return { id, error: '"prompt" must be a string (or send "messages")' };
  else prompt = m.prompt;
  const o = (m.options ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) return { id, error: '"options" must be an object' };
  for (const [k, v] of Object.entries(o)) {
    if ((NUMBER_OPTIONS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) return { id, error: `options.${k} must be a finite number` };
    } else if (k === 'stop') {
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) return { id, error: 'options.stop must be an array of strings' };
    } else if (k === 'watermark') {
      if (typeof v !== 'boolean') return { id, error: 'options.watermark must be true or false' };
    } else {
      return { id, error: `unknown option "${k}"; known: ${[...NUMBER_OPTIONS, 'stop', 'watermark'].join(', ')}` };
    }
  }
  return { type: 'generate', id, prompt, options: o as ClientGenerateOptions };
}
