import type { GenerateOptions } from '../../model/nn/generate.ts';
import { Rng } from '../../model/nn/rng.ts';
import type { SampleOptions } from '../../model/nn/sample.ts';
import { slideKeep } from '../../model/nn/slideKeep.ts';
import { type Token, TokenPicker } from '../../model/nn/tokenPicker.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { promptIds as textPromptIds } from '../../model/tokenizer/documentIds.ts';
import type { OnnxDecoder } from './onnxDecoder.ts';

/** generate's options without the tfjs-only ones (cache: the ONNX decoder always caches). */
export type OnnxGenerateOptions = Omit<GenerateOptions, 'cache' | 'onForward'>;

/**
 * `generateTokens` (src/model/nn/generate.ts) over the exported ONNX decoder: the same sampling,
 * watermark, stop strings, EOS and sliding-window rule (slideKeep), so a seed gives the same ids as
 * `versiflow generate` up to float rounding between the two runtimes. Starts from an empty cache.
 */
export async function* onnxGenerate(decoder: OnnxDecoder, tokenizer: Tokenizer, prompt: string | readonly number[], opts: OnnxGenerateOptions): AsyncGenerator<Token, void, undefined> {
  const context = decoder.shape.context;
  const promptIds = typeof prompt !== 'string' ? [...prompt] : textPromptIds(tokenizer, prompt);
  if (promptIds.length === 0) throw new RangeError('generate: the prompt has no tokens');
  const eosIds = opts.eosIds ?? (tokenizer.eosId >= 0 ? [tokenizer.eosId] : []);
  const sample: SampleOptions = { ...opts, eosIds };
  const stops = (opts.stop ?? []).filter((s) => s.length > 0);
  const rng = opts.rng ?? new Rng(opts.seed ?? 1337);
  const decode = tokenizer.decoder();
  const picker = new TokenPicker(promptIds, { sample, rng, watermark: opts.watermark, eosIds, stops, maxNewTokens: opts.maxNewTokens, decode });
  const ids = picker.ids;
  decoder.clear();
  let pending = ids.slice(-context);
  for (let n = 0; n < opts.maxNewTokens; n++) {
    const { token, done } = picker.next(await decoder.forward(pending), n);
    yield token;
    if (done) return;
    const id = token.id;
    if (decoder.length < context) pending = [id];
    else {
      decoder.clear();
      pending = ids.slice(-slideKeep(context));
    }
  }
}
