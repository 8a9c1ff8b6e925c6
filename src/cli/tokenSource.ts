import { type GenerateModel, type GenerateOptions, generateTokens } from '../model/nn/generate.ts';
import { chatBudget, chatPromptIds, chatStopIds } from '../model/tokenizer/chatPrompt.ts';
import { hasChatTokens } from '../model/tokenizer/chatTemplate.ts';
import { poetruScheme } from '../model/watermark/poetru.ts';
import type { WatermarkScheme } from '../model/watermark/scheme.ts';
import type { ClientGenerateOptions, GeneratePrompt } from '../streams/feed/generateProtocol.ts';
import type { TokenSource } from '../streams/feed/generateServer.ts';

/**
 * Requests (prompt + client options) → generateTokens on a loaded model. Client options override
 * `defaults` key by key; `watermark: true` uses `scheme` (poetru when none was configured). A
 * conversation (`{messages, system}`) needs a model with the chat tokens: it is rendered by the chat
 * template with the assistant header, its oldest turns dropped to fit the context (chatPromptIds),
 * and the answer ends at `<|end|>`.
 */
export function localTokenSource(model: GenerateModel, defaults: GenerateOptions, scheme?: WatermarkScheme): TokenSource {
  let fallback: WatermarkScheme | undefined;
  return (prompt: GeneratePrompt, o: ClientGenerateOptions) => {
    const defined = Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'watermark')) as Partial<GenerateOptions>;
    const on = o.watermark ?? defaults.watermark !== undefined;
    const watermark = on ? (scheme ?? defaults.watermark ?? (fallback ??= poetruScheme({ vocabSize: model.config.vocabSize }))) : undefined;
    const opts = { ...defaults, ...defined, watermark };
    if (typeof prompt === 'string') return generateTokens(model, prompt, opts);
    const tok = model.tokenizer;
    if (!tok || !hasChatTokens(tok)) throw new RangeError('this model has no chat tokens (<|system|> <|user|> <|assistant|> <|end|>): fine-tune it with `versiflow train --task sft --init-from CHECKPOINT`, or send a text prompt');
    const { ids } = chatPromptIds(tok, prompt, chatBudget(model.config.context, opts.maxNewTokens));
    return generateTokens(model, ids, { ...opts, eosIds: chatStopIds(tok) });
  };
}
