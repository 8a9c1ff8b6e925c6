import type { GenerateOptions, Token } from '../../model/nn/generate.ts';
import { Rng } from '../../model/nn/rng.ts';
import { type SampleOptions, sampleToken } from '../../model/nn/sample.ts';
import { slideKeep } from '../../model/nn/slideKeep.ts';
import { findStop, stopHoldback } from '../../model/nn/sampling/stop.ts';
import type { Tokenizer } from '../../model/tokenizer/types.ts';
import { watermarkLogits } from '../../model/watermark/apply.ts';
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
  const promptIds = typeof prompt !== 'string' ? [...prompt] : prompt ? tokenizer.encode(prompt) : [Math.max(0, tokenizer.eosId)];
  if (promptIds.length === 0) throw new RangeError('generate: the prompt has no tokens');
  const eosIds = opts.eosIds ?? (tokenizer.eosId >= 0 ? [tokenizer.eosId] : []);
  const sample: SampleOptions = { ...opts, eosIds };
  const stops = (opts.stop ?? []).filter((s) => s.length > 0);
  const rng = opts.rng ?? new Rng(opts.seed ?? 1337);
  const decode = tokenizer.decoder();
  const ids = [...promptIds];
  let text = '';
  decoder.clear();
  let pending = ids.slice(-context);
  for (let n = 0; n < opts.maxNewTokens; n++) {
    const row = await decoder.forward(pending);
    const x = opts.watermark ? watermarkLogits(row.slice(), ids, opts.watermark) : row;
    const id = sampleToken(x, sample, rng, { ids, newTokens: n });
    const green = opts.watermark && ids.length >= opts.watermark.contextWidth ? opts.watermark.greenList(ids).mask[id] === 1 : undefined;
    const base = { index: n, id, logprob: logprobAt(row, id), ...(green === undefined ? {} : { green }) };
    if (eosIds.includes(id)) {
      yield { ...base, text, finish: 'eos' };
      return;
    }
    ids.push(id);
    text += decode(id);
    const cut = findStop(text, stops);
    if (cut >= 0) {
      yield { ...base, text: text.slice(0, cut), finish: 'stop' };
      return;
    }
    if (n === opts.maxNewTokens - 1) {
      yield { ...base, text, finish: 'length' };
      return;
    }
    const emit = text.length - stopHoldback(text, stops);
    yield { ...base, text: text.slice(0, emit) };
    text = text.slice(emit);
    if (decoder.length < context) pending = [id];
    else {
      decoder.clear();
      pending = ids.slice(-slideKeep(context));
    }
  }
}

/** ln softmax(row)[id], O(V). */
function logprobAt(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return row[id] - max - Math.log(sum);
}
