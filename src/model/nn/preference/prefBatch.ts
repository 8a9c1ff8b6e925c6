import type { Batch } from '../../../core/batch.ts';

/** A prompt and one completion as token ids (the completion already ends in EOS or `<|end|>` where it should). */
export interface SequencePair {
  readonly prompt: readonly number[];
  readonly completion: readonly number[];
}

/**
 * Rows of prompt + completion as one batch whose mask counts the completion's tokens only, padded to
 * the longest row (`pad` id after it, mask 0). A row longer than context + 1 ids keeps the end of its
 * prompt (at least one token, so the first completion token has a position to be predicted from;
 * TRL's keep_end) and then cuts the completion's end.
 *   x [B, T] = ids[0..n−1), y [B, T] = ids[1..n), mask[b, t] = 1 where y[b, t] is a completion token.
 */
export function sequenceBatch(rows: readonly SequencePair[], context: number, pad = 0): Batch {
  if (rows.length === 0) throw new Error('sequenceBatch: no rows');
  const fitted = rows.map((r) => fit(r, context));
  const T = Math.max(1, ...fitted.map((f) => f.ids.length - 1));
  const B = rows.length;
  const x = new Int32Array(B * T).fill(pad);
  const y = new Int32Array(B * T).fill(pad);
  const mask = new Float32Array(B * T);
  let tokens = 0;
  fitted.forEach(({ ids, promptLen }, b) => {
    for (let t = 0; t + 1 < ids.length; t++) {
      x[b * T + t] = ids[t];
      y[b * T + t] = ids[t + 1];
      if (t + 1 >= promptLen) {
        mask[b * T + t] = 1;
        tokens++;
      }
    }
  });
  return { B, T, x, y, mask, tokens };
}

function fit(r: SequencePair, context: number): { ids: number[]; promptLen: number } {
  const room = context + 1;
  if (r.prompt.length === 0) throw new Error('sequenceBatch: a row has an empty prompt; give it at least one token (BOS or a chat header)');
  let prompt = r.prompt;
  let completion = r.completion;
  if (prompt.length + completion.length > room) {
    prompt = prompt.slice(Math.max(0, prompt.length - Math.max(1, room - completion.length)));
    completion = completion.slice(0, room - prompt.length);
  }
  return { ids: [...prompt, ...completion], promptLen: prompt.length };
}
