import type { Example } from '../../core/batch.ts';

/** A document as ids with a per-token loss mask (1 = the token is a target that counts), e.g. encodeChat's output. */
export interface MaskedDoc {
  readonly ids: ArrayLike<number>;
  readonly mask: ArrayLike<number>;
}

/**
 * nanoGPT packing with the mask travelling with the tokens: the documents concatenated into one
 * stream, cut into windows of T+1 tokens with stride T (as the `pack` layout); the target at position
 * t of window i is stream token iT+t+1 and counts when that token's mask is 1. The tail shorter than a
 * window is dropped. With every mask 1 it gives the `pack` layout's examples.
 */
export function packMasked(docs: readonly MaskedDoc[], T: number): Example[] {
  let n = 0;
  for (const d of docs) n += d.ids.length;
  const ids = new Int32Array(n);
  const mask = new Float32Array(n);
  let at = 0;
  for (const d of docs) {
    for (let i = 0; i < d.ids.length; i++, at++) {
      ids[at] = d.ids[i];
      mask[at] = d.mask[i] ? 1 : 0;
    }
  }
  const out: Example[] = [];
  for (let start = 0; n - start >= T + 1; start += T) {
    const m = mask.slice(start + 1, start + T + 1);
    out.push({ ids: ids.slice(start, start + T + 1), mask: m });
  }
  return out;
}

/**
 * One document per row (the `truncate` layout): its first T+1 tokens right-padded with `padId`; the
 * target at position t counts when token t+1 is real and its mask is 1. Rows that count no target
 * (documents of fewer than 2 tokens, or whose trained tokens all fall past T+1) are dropped.
 */
export function truncateMasked(docs: readonly MaskedDoc[], T: number, padId: number): Example[] {
  const out: Example[] = [];
  for (const d of docs) {
    const n = Math.min(d.ids.length, T + 1);
    if (n < 2) continue;
    const ids = new Int32Array(T + 1).fill(padId);
    const mask = new Float32Array(T);
    let counted = 0;
    for (let i = 0; i < n; i++) ids[i] = d.ids[i];
    for (let t = 0; t + 1 < n; t++) counted += mask[t] = d.mask[t + 1] ? 1 : 0;
    if (counted > 0) out.push({ ids, mask });
  }
  return out;
}
