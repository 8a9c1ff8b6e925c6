import type { GenerateOptions } from '../../model/nn/generate.ts';
import { chatBudget, chatPromptIds, chatStopIds } from '../../model/tokenizer/chatPrompt.ts';
import { hasChatTokens } from '../../model/tokenizer/chatTemplate.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { poetruScheme } from '../../model/watermark/poetru.ts';
import type { WatermarkScheme } from '../../model/watermark/scheme.ts';
import type { ClientGenerateOptions, GeneratePrompt } from '../../streams/feed/generateProtocol.ts';
import type { TokenSource } from '../../streams/feed/generateServer.ts';
import type { OnnxDecoder } from './onnxDecoder.ts';
import { onnxGenerate } from './onnxGenerate.ts';

/**
 * localTokenSource (src/cli/tokenSource.ts) over the ONNX decoder: client options override
 * `defaults`; `watermark: true` uses defaults.watermark (the scheme the poet was built with; poetru when none); a
 * conversation is rendered by the chat template, oldest turns dropped to fit, ending at <|end|>.
 */
export function onnxTokenSource(decoder: OnnxDecoder, tokenizer: Tokenizer, defaults: GenerateOptions): TokenSource {
  let fallback: WatermarkScheme | undefined;
  return (prompt: GeneratePrompt, o: ClientGenerateOptions) => {
    const defined = Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'watermark')) as Partial<GenerateOptions>;
    const on = o.watermark ?? defaults.watermark !== undefined;
    const watermark = on ? (defaults.watermark ?? (fallback ??= poetruScheme({ vocabSize: decoder.shape.vocabSize }))) : undefined;
    const opts = { ...defaults, ...defined, watermark };
    if (typeof prompt === 'string') return onnxGenerate(decoder, tokenizer, prompt, opts);
    if (!hasChatTokens(tokenizer)) throw new RangeError('this model has no chat tokens: send a text prompt');
    const { ids } = chatPromptIds(tokenizer, prompt, chatBudget(decoder.shape.context, opts.maxNewTokens));
    return onnxGenerate(decoder, tokenizer, ids, { ...opts, eosIds: chatStopIds(tokenizer) });
  };
}
