import { watermarkLogits } from '../watermark/apply.ts';
import type { WatermarkScheme } from '../watermark/scheme.ts';
import type { Rng } from './rng.ts';
import { type SampleOptions, sampleToken } from './sample.ts';
import { findStop, stopHoldback } from './sampling/stop.ts';

/** One generated token. */
export interface Token {
  /** 0-based among the new tokens. */
  readonly index: number;
  readonly id: number;
  /**
   * Text this token adds, from the tokenizer's incremental decoder; '' while a UTF-8 character is
   * incomplete or while the text could be the start of a stop string (it comes out with a later
   * token). The final token carries whatever was held back, cut before a stop string.
   */
  readonly text: string;
  /** ln p(id) under the model's own distribution (temperature 1, before penalties and watermark). */
  readonly logprob: number;
  /** When watermarking: whether id is in the green list of its context (undefined before h ids or when off). */
  readonly green?: boolean;
  /** Set on the last token: eos = an end-of-sequence id was drawn (this token; its own text is not emitted), length = maxNewTokens, stop = a stop string. */
  readonly finish?: 'eos' | 'length' | 'stop';
}

export interface TokenPickerOptions {
  readonly sample: SampleOptions;
  readonly rng: Rng;
  readonly watermark?: WatermarkScheme;
  readonly eosIds: readonly number[];
  readonly stops: readonly string[];
  readonly maxNewTokens: number;
  /** The tokenizer's incremental decoder; without it tokens carry no text. */
  readonly decode?: (id: number) => string;
}

/**
 * The per-token half of generation, the same whatever computes the logits (tfjs, or the ONNX
 * runtime of a shipped poet): from a logits row [V] to the next Token — watermark, sampling, ln p,
 * the green flag, EOS, stop strings (text that may start one is held back) and the length limit.
 * Pure CPU work, no tensors.
 */
export class TokenPicker {
  /** Prompt and generated ids so far (EOS not included). */
  readonly ids: number[];
  /** Decoded new text not yet emitted. */
  private text = '';

  constructor(
    promptIds: readonly number[],
    private readonly o: TokenPickerOptions,
  ) {
    this.ids = [...promptIds];
  }

  /** Draws new token `n` from its logits row; `done` when it ended the generation. */
  next(row: Float32Array, n: number): { token: Token; done: boolean } {
    const { sample, rng, watermark, eosIds, stops } = this.o;
    const ids = this.ids;
    const x = watermark ? watermarkLogits(row.slice(), ids, watermark) : row;
    const id = sampleToken(x, sample, rng, { ids, newTokens: n });
    const green = watermark && ids.length >= watermark.contextWidth ? watermark.greenList(ids).mask[id] === 1 : undefined;
    const base = { index: n, id, logprob: logprobAt(row, id), ...(green === undefined ? {} : { green }) };
    if (eosIds.includes(id)) return { token: { ...base, text: this.text, finish: 'eos' }, done: true };
    ids.push(id);
    this.text += this.o.decode ? this.o.decode(id) : '';
    const cut = findStop(this.text, stops);
    if (cut >= 0) return { token: { ...base, text: this.text.slice(0, cut), finish: 'stop' }, done: true };
    if (n === this.o.maxNewTokens - 1) return { token: { ...base, text: this.text, finish: 'length' }, done: true };
    const emit = this.text.length - stopHoldback(this.text, stops);
    const token = { ...base, text: this.text.slice(0, emit) };
    this.text = this.text.slice(emit);
    return { token, done: false };
  }
}

/** ln softmax(row)[id] under the raw row, O(V). */
function logprobAt(row: Float32Array, id: number): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i] > max) max = row[i];
  let sum = 0;
  for (let i = 0; i < row.length; i++) sum += Math.exp(row[i] - max);
  return row[id] - max - Math.log(sum);
}
