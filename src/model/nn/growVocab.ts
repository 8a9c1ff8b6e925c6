import type { NamedArray } from '../formats/safetensors.ts';

/**
 * A checkpoint's tensors with the vocabulary grown to `rows` (the tokenizer was extended, e.g. with
 * the chat tokens): the embedding `wte` [V, C] gets rows and an untied `lm_head` [C, V] gets columns.
 * Existing rows keep their values; the rows of `reinit` (the new tokens' ids) and any row added
 * beyond the old size start as the mean of the first `meanOf` rows (the tokens the model was trained
 * on), as Transformers' `resize_token_embeddings(mean_resizing=True)` does: a new token starts as an
 * average token instead of noise, so its logit starts at the mean logit. Other tensors pass through.
 */
export function growVocab(tensors: ReadonlyMap<string, NamedArray>, rows: number, meanOf: number, reinit: readonly number[]): Map<string, NamedArray> {
  const out = new Map(tensors);
  const wte = tensors.get('wte');
  if (!wte || wte.shape.length !== 2) throw new Error('the checkpoint has no [vocab, hidden] "wte" embedding to grow');
  const [V, C] = wte.shape;
  if (rows < V) throw new Error(`cannot shrink the vocabulary from ${V} to ${rows} rows`);
  if (meanOf < 1 || meanOf > V) throw new Error(`mean over ${meanOf} rows of a ${V}-row embedding`);
  const fresh = new Set(reinit);
  for (let r = V; r < rows; r++) fresh.add(r);

  // wte: rows are contiguous
  const mean = new Float64Array(C);
  for (let r = 0; r < meanOf; r++) for (let c = 0; c < C; c++) mean[c] += wte.data[r * C + c];
  const e = new Float32Array(rows * C);
  e.set(wte.data.subarray(0, V * C));
  for (const r of fresh) for (let c = 0; c < C; c++) e[r * C + c] = mean[c] / meanOf;
  out.set('wte', { name: wte.name, shape: [rows, C], data: e });

  // lm_head: [C, V], one column per token
  const head = tensors.get('lm_head');
  if (head) {
    if (head.shape[0] !== C || head.shape[1] !== V) throw new Error(`lm_head has shape [${head.shape}], expected [${C}, ${V}]`);
    const h = new Float32Array(C * rows);
    for (let c = 0; c < C; c++) {
      let m = 0;
      for (let v = 0; v < meanOf; v++) m += head.data[c * V + v];
      h.set(head.data.subarray(c * V, (c + 1) * V), c * rows);
      for (const r of fresh) h[c * rows + r] = m / meanOf;
    }
    out.set('lm_head', { name: head.name, shape: [C, rows], data: h });
  }
  return out;
}
