import { type GenerateModel, type GenerateOptions, generateTokens } from '../model/nn/generate.ts';
import { poetruScheme } from '../model/watermark/poetru.ts';
import type { WatermarkScheme } from '../model/watermark/scheme.ts';
import type { ClientGenerateOptions } from '../streams/feed/generateProtocol.ts';
import type { TokenSource } from '../streams/feed/generateServer.ts';

/**
 * Requests (prompt + client options) → generateTokens on a loaded model. Client options override
 * `defaults` key by key; `watermark: true` uses `scheme` (poetru when none was configured).
 */
export function localTokenSource(model: GenerateModel, defaults: GenerateOptions, scheme?: WatermarkScheme): TokenSource {
  let fallback: WatermarkScheme | undefined;
  return (prompt: string, o: ClientGenerateOptions) => {
    const defined = Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'watermark')) as Partial<GenerateOptions>;
    const on = o.watermark ?? defaults.watermark !== undefined;
    const watermark = on ? (scheme ?? defaults.watermark ?? (fallback ??= poetruScheme({ vocabSize: model.config.vocabSize }))) : undefined;
    return generateTokens(model, prompt, { ...defaults, ...defined, watermark });
  };
}
