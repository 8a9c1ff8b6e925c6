import { get, gateUp, keyValue, opt, type Tensors } from '../hf/hfTensors.ts';
import type { HfArch } from '../hf/hfFamily.ts';
import { interleavedToHalf, permuteHeadColumns } from '../hf/matrixOps.ts';
import type { DecoderLayerWeights, DecoderWeights, NormWeights } from './decoderWeights.ts';

/**
 * Versiflow's own tensors (paramSpecs' names, matrices [in, out] already) → the ONNX graph's weights,
 * with no Transformers state dict in between: for architectures that have no Transformers class
 * (Mini-Tron's RMSNorm + learned positions + GELU MLP), which only Versiflow's own runtimes (the
 * shipped poet) load. Latent K/V is folded and a fused gate_up split as the hf export does;
 * interleaved RoPE is permuted per head to the graph's half-split order (q·k unchanged).
 */
export function nativeDecoderWeights(a: HfArch, t: Tensors): DecoderWeights {
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, ffn: F, vocabSize: V } = a;
  const norm = (name: string): NormWeights => ({ scale: get(t, name, [C]), bias: opt(t, `${name}.bias`, [C]) });
  const perm = a.positions === 'rope' && a.ropeStyle === 'interleaved' ? interleavedToHalf(d) : null;
  const rope = (w: Float32Array, rows: number, n: number) => (perm ? permuteHeadColumns(w, rows, n, perm) : w);
  const layers = Array.from({ length: a.layers }, (_, i): DecoderLayerWeights => {
    const p = `h.${i}.`;
    const { wk, wv, bk, bv } = keyValue(a, t, i);
    const bq = opt(t, `${p}attn.wq.bias`, [H * d]);
    const mlp: Pick<DecoderLayerWeights, 'gate' | 'up'> =
      a.mlp === 'swiglu'
        ? (({ gate, up, bg, bu }) => ({ gate: { w: gate, inF: C, outF: F, b: bg }, up: { w: up, inF: C, outF: F, b: bu } }))(gateUp(a, t, i))
        : { up: { w: get(t, `${p}mlp.up`, [C, F]), inF: C, outF: F, b: opt(t, `${p}mlp.up.bias`, [F]) } };
    return {
      attnNorm: norm(`${p}attn_norm`),
      q: { w: rope(get(t, `${p}attn.wq`, [C, H * d]), C, H), inF: C, outF: H * d, b: bq && rope(bq, 1, H) },
      k: { w: rope(wk, C, KV), inF: C, outF: KV * d, b: bk && rope(bk, 1, KV) },
      v: { w: wv, inF: C, outF: KV * d, b: bv },
      o: { w: get(t, `${p}attn.wo`, [H * d, C]), inF: H * d, outF: C, b: opt(t, `${p}attn.wo.bias`, [C]) },
      mlpNorm: norm(`${p}mlp_norm`),
      ...mlp,
      down: { w: get(t, `${p}mlp.down`, [F, C]), inF: F, outF: C, b: opt(t, `${p}mlp.down.bias`, [C]) },
    };
  });
  return {
    embed: get(t, 'wte', [V, C]),
    positions: a.positions === 'learned' ? get(t, 'wpe', [a.context, C]) : undefined,
    layers,
    finalNorm: norm('norm_f'),
    head: a.tied ? undefined : get(t, 'lm_head', [C, V]),
  };
}
