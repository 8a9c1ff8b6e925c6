import * as tf from '@tensorflow/tfjs';
import { hostView } from './hostMemory.ts';

/**
 * Causal attention on the CPU backends (wasm, cpu) without a [T, T] tensor, forward or backward:
 * the queries run in blocks of `rows` positions, and a block scores only the keys it can see.
 *   q [B, H, T, d], k, v [B, KV, T, d], g = H / KV (query head h reads kv head ⌊h / g⌋) → o [B, H, T, d]
 * Block b holds positions s..e−1 (s = b·rows); its g query heads are folded into g·(e−s) rows as
 * `attentionHeads` does, so K/V are never copied g times:
 *   S = q_b·k[0..e)ᵀ/√d + M   [B, KV, g·(e−s), e]   M masks only the last e−s columns (the diagonal block)
 *   P = softmax(S),  o_b = P·v[0..e)
 * Backward, per block, from saved q, k, v and o (P recomputed; D = rowsum(dO∘o)):
 *   dS = P∘(dO·vᵀ − D),  dq_b = dS·k/√d,  dk[0..e) += dSᵀ·q_b/√d,  dv[0..e) += Pᵀ·dO
 * Each block's temporaries are freed before the next (its own tidy), so attention holds
 * O(rows·T) floats per head at a time instead of O(T²), and skipping the hidden keys halves the
 * FLOPs of the scores. A composition of tfjs's stock ops under one tf.customGrad.
 */
export function tiledAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, rows = TILE_ROWS): tf.Tensor4D {
  const [B, H, T, d] = q.shape;
  const KV = k.shape[1];
  const g = H / KV;
  const blocks = blockRanges(T, Math.max(1, Math.min(rows, T)));
  const scale = 1 / Math.sqrt(d);
  const f = (qi: tf.Tensor4D, ki: tf.Tensor4D, vi: tf.Tensor4D, save: tf.GradSaveFunc) => {
    const masks = new DiagonalMasks(g);
    try {
      const qs = qi.mul(scale).reshape([B * KV, g, T, d]); // pre-scaled, grouped by kv head
      const outs = blocks.map(([s, e]) =>
        tf.tidy(() => {
          const p = blockProbs(qs, kvRows(ki, e), s, e, B, KV, g, d, masks); // [B, KV, g·(e−s), e]
          return p.matMul(kvRows(vi, e)).reshape([B * KV, g, e - s, d]);
        }),
      );
      const o = (outs.length === 1 ? outs[0] : tf.concat(outs, 2)).reshape([B, H, T, d]) as tf.Tensor4D;
      tf.dispose([qs, ...outs]);
      save([qi, ki, vi, o]);
      return { value: o, gradFunc: (dy: tf.Tensor4D, saved: tf.Tensor[]) => tf.tidy(() => backward(dy, saved as tf.Tensor4D[])) };
    } finally {
      masks.dispose();
    }
  };
  const backward = (dy: tf.Tensor4D, [qi, ki, vi, o]: tf.Tensor4D[]): tf.Tensor[] => {
    const masks = new DiagonalMasks(g);
    try {
      const qs = qi.mul(scale).reshape([B * KV, g, T, d]);
      const dOut = dy.reshape([B * KV, g, T, d]);
      // D = rowsum(dO ∘ o) [B·KV, g, T, 1]: the softmax backward's row term, for every block at once
      const D = dy.mul(o).sum(-1, true).reshape([B * KV, g, T, 1]);
      let dk: tf.Tensor | null = null; // [B, KV, T, d], summed over the blocks
      let dv: tf.Tensor | null = null;
      const dqs: tf.Tensor[] = [];
      for (const [s, e] of blocks) {
        const [dq, dkNext, dvNext] = tf.tidy(() => {
          const ke = kvRows(ki, e); // copied once, for the scores and for dq
          const p = blockProbs(qs, ke, s, e, B, KV, g, d, masks); // [B, KV, g·(e−s), e]
          const dOb = blockRows(dOut, s, e, B, KV, g, d); // [B, KV, g·(e−s), d]
          const Db = blockRows(D, s, e, B, KV, g, 1); // [B, KV, g·(e−s), 1]
          const dS = p.mul(dOb.matMul(kvRows(vi, e), false, true).sub(Db)); // [B, KV, g·(e−s), e]
          const pad = [[0, 0], [0, 0], [0, T - e], [0, 0]] as [number, number][];
          const dkB = dS.matMul(blockRows(qs, s, e, B, KV, g, d), true, false); // [B, KV, e, d] (q pre-scaled)
          const dvB = p.matMul(dOb, true, false); // [B, KV, e, d]
          // dq of the block [B·KV, g, e−s, d]; dk, dv accumulated over the blocks
          const full = (t: tf.Tensor) => (e < T ? t.pad(pad) : t);
          return [dS.matMul(ke).reshape([B * KV, g, e - s, d]), dk ? dk.add(full(dkB)) : full(dkB), dv ? dv.add(full(dvB)) : full(dvB)];
        });
        if (dk && dv) tf.dispose([dk, dv]);
        dk = dkNext;
        dv = dvNext;
        dqs.push(dq);
      }
      const dq = (dqs.length === 1 ? dqs[0] : tf.concat(dqs, 2)).reshape([B, H, T, d]).mul(scale);
      return [dq, dk!, dv!];
    } finally {
      masks.dispose();
    }
  };
  return tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0])(q, k, v) as tf.Tensor4D;
}

/**
 * Query positions per block: a block's scores are [B, H, TILE_ROWS, ≤ T], so memory grows with it;
 * 128 trained char-10m at 1 × 1024 faster than 64 (fewer, larger products) for 2% more peak memory
 * (docs/benchmarks.md, "Figures behind source comments").
 */
export const TILE_ROWS = 128;
/** The shortest sequence the model runs tiled (kernels/select.ts `tiledAttentionOn`); below it the stock ops, measured faster (same place). */
export const TILED_MIN_T = 256;

/** [s, e) position ranges of `rows` each (the last one shorter when rows does not divide T). */
export function blockRanges(T: number, rows: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < T; s += rows) out.push([s, Math.min(T, s + rows)]);
  return out;
}

/** Positions s..e−1 of t [B·KV, g, T, w] as folded rows [B, KV, g·(e−s), w]. */
function blockRows(t: tf.Tensor, s: number, e: number, B: number, KV: number, g: number, w: number): tf.Tensor4D {
  return takeRows(t, B * KV * g, t.shape[2]!, w, s, e).reshape([B, KV, g * (e - s), w]);
}

/** Keys (or values) 0..e−1 of t [B, KV, T, d]. */
function kvRows(t: tf.Tensor4D, e: number): tf.Tensor4D {
  const [B, KV, T, d] = t.shape;
  return takeRows(t, B * KV, T, d, 0, e).reshape([B, KV, e, d]);
}

/**
 * Rows s..e−1 of each of the R matrices of t viewed as [R, T, w] → [R, e−s, w], copied between host
 * views (R copies of (e−s)·w floats). Not tf.slice or tf.gather: tfjs's wasm Slice first copies its
 * whole input out of the heap (readSync), so a block's slice would cost a copy of all T positions,
 * and wasm's Gather took as long as that for a quarter of the rows.
 */
function takeRows(t: tf.Tensor, R: number, T: number, w: number, s: number, e: number): tf.Tensor {
  if (s === 0 && e === T) return t;
  const n = e - s;
  const out = tf.fill([R, n, w], 0); // tf.zeros fills in JavaScript and uploads; allocated before the views are taken: an allocation may move wasm's heap
  const src = hostView(t);
  const dst = hostView(out);
  if (!src || !dst) {
    out.dispose();
    return t.reshape([R, T, w]).slice([0, s, 0], [-1, n, -1]);
  }
  for (let r = 0; r < R; r++) dst.set(src.subarray((r * T + s) * w, (r * T + e) * w), r * n * w);
  return out;
}

/** softmax(q_b·ke ᵀ + M) for block [s, e): qs pre-scaled [B·KV, g, T, d], ke the keys 0..e−1 [B, KV, e, d] → [B, KV, g·(e−s), e]. */
function blockProbs(qs: tf.Tensor, ke: tf.Tensor4D, s: number, e: number, B: number, KV: number, g: number, d: number, masks: DiagonalMasks): tf.Tensor4D {
  const scores = blockRows(qs, s, e, B, KV, g, d).matMul(ke, false, true);
  return scores.add(masks.get(e - s, s)).softmax() as tf.Tensor4D;
}

/**
 * The causal triangle [g·n, n] of a block of n positions (row r is position r mod n; −1e9 past it,
 * as causalMask), made once per block size within a call and freed with it. `get(n, s)` widens it
 * to [g·n, s + n] with s zero columns in front (the keys before the block, all visible): a tensor of
 * the block's, freed by its tidy; small beside the scores (no B·KV factor).
 */
class DiagonalMasks {
  private readonly made = new Map<number, tf.Tensor2D>();
  constructor(private readonly g: number) {}

  get(n: number, s: number): tf.Tensor2D {
    let m = this.made.get(n);
    if (!m) {
      const vals = new Float32Array(this.g * n * n);
      for (let r = 0; r < this.g * n; r++) for (let c = (r % n) + 1; c < n; c++) vals[r * n + c] = -1e9;
      m = tf.keep(tf.tensor2d(vals, [this.g * n, n]));
      this.made.set(n, m);
    }
    return s === 0 ? m : m.pad([[0, 0], [s, 0]]);
  }

  dispose(): void {
    for (const m of this.made.values()) m.dispose();
    this.made.clear();
  }
}
