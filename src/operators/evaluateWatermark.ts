import { map, type OperatorFunction, reduce } from 'rxjs';
import type { Token } from '../model/nn/generate.ts';
import { type DetectOptions, type DetectResult, detectWatermark } from '../model/watermark/detect.ts';
import type { WatermarkScheme } from '../model/watermark/scheme.ts';

export interface EvaluateWatermarkOptions extends DetectOptions {
  /** Prompt ids, prepended so contexts (and, for poetru, the prompt) are scored as the scheme says. @default [] */
  readonly promptIds?: readonly number[];
}

/**
 * A token stream → one detection result when it completes: z, green count and p-value of the
 * ids (prompt first) under `scheme`. The promptLength defaults to promptIds.length.
 *
 * @example
 * generate$(model, prompt, { ..., watermark: scheme }).pipe(evaluateWatermark(scheme, { promptIds }))
 */
export function evaluateWatermark(scheme: WatermarkScheme, opts: EvaluateWatermarkOptions = {}): OperatorFunction<Token, DetectResult> {
  const promptIds = opts.promptIds ?? [];
  return (source) =>
    source.pipe(
      reduce((ids: number[], t: Token) => (ids.push(t.id), ids), [...promptIds]),
      map((ids) => detectWatermark(ids, scheme, { promptLength: promptIds.length, ...opts })),
    );
}
