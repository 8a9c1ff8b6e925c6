import type { HfArch, HfFamily } from '../hf/hfFamily.ts';
import type { DecoderWeights, DenseWeights, NormWeights } from './decoderWeights.ts';
import { GraphBuilder, int, ints } from './graphBuilder.ts';
import type { OnnxModel, OnnxValueInfo } from './onnxProto.ts';
import { type IntegerMatrix, type OnnxWeights, storeInteger, storeMatrix } from './weightStorage.ts';

/** The operator set the graph is written against (what Optimum's decoder exports use; plain ops only). */
export const ONNX_OPSET = 14;
/** IR version 7 (ONNX 1.8), which onnxruntime 1.x and onnxruntime-web read with opset 14. */
export const ONNX_IR_VERSION = 7;

/**
 * Positions the RoPE tables cover: the context, and at least 2048, so that a caller that lets the
 * sequence grow past the context (Transformers' Llama has no hard limit) gets RoPE's extrapolation
 * instead of an out-of-range Gather; Versiflow itself slides its window there instead. A learned
 * position table (GPT-2) has exactly `context` rows.
 */
export const ropePositions = (context: number): number => Math.max(context, 2048);

export interface DecoderModelOptions {
  /**
   * How int8 weights are computed with. 'dequantize' (default; what transformers.js and onnxruntime-web
   * load): int8 initializers behind a DequantizeLinear, float32 MatMul (onnxruntime folds them to float32
   * at load). 'integer' (build-chat's poet): the weights stay int8 and every product is an int8 GEMM,
   * DynamicQuantizeLinear (activations to uint8, one scale per call) → MatMulInteger → × scale_x · scale_W
   * (one scale per output column, the same quantisation as 'dequantize'); a tied embedding is stored once,
   * transposed [C, V], for the head and for the row gather (axis 1), as are learned positions.
   */
  readonly int8Kernel?: 'dequantize' | 'integer';
}

/** Additive mask value of a hidden key, as Versiflow's causalMask (exp underflows to exactly 0). */
const MASKED = -1e9;
const TOTAL = 'past_sequence_length + sequence_length';

/**
 * The decoder as one ONNX graph in Hugging Face Optimum's layout (the one transformers.js and
 * onnxruntime load as a causal LM with a cache): inputs `input_ids`, `attention_mask`, `position_ids`
 * (int64) and `past_key_values.{i}.key|value` [batch_size, kv_heads, past_sequence_length, head_dim]
 * (kv_heads and head_dim fixed numbers; transformers.js makes the first, empty past from them);
 * outputs `logits` [batch_size, sequence_length, V] and `present.{i}.key|value` (the past with the new
 * positions appended). Computes what src/model/nn/gpt.ts computes: pre-norm blocks (RMSNorm or
 * LayerNorm), half-split RoPE from tables gathered by position_ids or a learned position table, GQA
 * (query heads grouped over their K/V head: q [B, KV, g, T, d] against k [B, KV, 1, Tk, d]), SwiGLU or
 * GELU (Erf form for gelu: exact, Tanh form for tanh), biases where present, tied or untied head;
 * family 'versiflow' (no Transformers class, e.g. RMSNorm + learned positions + GELU) only names the graph. Keys are visible when causal (key position ≤
 * query position, the query at past + t) and their attention_mask is 1.
 */
export function decoderModel(family: HfFamily | 'versiflow', a: HfArch, w: DecoderWeights, kind: OnnxWeights = 'fp32', o: DecoderModelOptions = {}): OnnxModel {
  const g = new GraphBuilder();
  const { hidden: C, heads: H, kvHeads: KV, headDim: d, vocabSize: V } = a;
  const group = H / KV;
  const integer = kind === 'int8' && o.int8Kernel === 'integer';
  const matmulInteger = (h: string, m: IntegerMatrix, out?: string): string => {
    const [aq, as, azp] = g.opN('DynamicQuantizeLinear', [h], 3);
    const y = g.op('Cast', [g.op('MatMulInteger', [aq, m.q, azp])], { to: int(1) });
    return g.op('Mul', [y, g.op('Mul', [as, m.scales])], undefined, out);
  };
  /** Rows `ids` of a table stored for MatMulInteger (int8 [C, rows], a scale per row), dequantised: [B, T, C]. */
  const gatherInteger = (m: IntegerMatrix, ids: string): string => {
    const rows = g.op('Transpose', [g.op('Cast', [g.op('Gather', [m.q, ids], { axis: int(1) })], { to: int(1) })], { perm: ints([1, 2, 0]) });
    return g.op('Mul', [rows, g.op('Unsqueeze', [g.op('Gather', [m.scales, ids], { axis: int(0) }), g.i64([2])])]);
  };

  // embeddings
  g.scope = 'embed';
  const embedI = integer ? storeInteger(g, 'model.embed_tokens.weight', w.embed, C, V, 'nk') : null;
  const embed = embedI ? '' : storeMatrix(g, kind, 'model.embed_tokens.weight', w.embed, V, C, 0);
  let x = embedI ? gatherInteger(embedI, 'input_ids') : g.op('Gather', [embed, 'input_ids'], { axis: int(0) }); // [B, T, C]
  let rope: { cos: string; sin: string } | null = null;
  if (w.positions) {
    const pos = integer
      ? gatherInteger(storeInteger(g, 'model.embed_positions.weight', w.positions, C, a.context, 'nk'), 'position_ids')
      : g.op('Gather', [storeMatrix(g, kind, 'model.embed_positions.weight', w.positions, a.context, C, 0), 'position_ids'], { axis: int(0) });
    x = g.op('Add', [x, pos]);
  } else {
    // cos/sin [P, d/2] in float64 rounded once, as src/model/nn/rope.ts; gathered by position → [B, 1, T, d/2]
    const half = d / 2;
    const P = ropePositions(a.context);
    const cos = new Float32Array(P * half);
    const sin = new Float32Array(P * half);
    for (let p = 0; p < P; p++) {
      for (let i = 0; i < half; i++) {
        const angle = p * Math.pow(a.ropeTheta, (-2 * i) / d);
        cos[p * half + i] = Math.cos(angle);
        sin[p * half + i] = Math.sin(angle);
      }
    }
    const at = (table: string) => g.op('Unsqueeze', [g.op('Gather', [table, 'position_ids'], { axis: int(0) }), g.i64([1])]);
    rope = { cos: at(g.f32('rope.cos', [P, half], cos)), sin: at(g.f32('rope.sin', [P, half], sin)) };
  }

  // mask bias [B, 1, 1, T, Tk]: 0 where visible, MASKED elsewhere
  g.scope = 'mask';
  const T = g.op('Gather', [g.op('Shape', ['input_ids']), g.i64([1], [])]);
  const Tk = g.op('Gather', [g.op('Shape', ['attention_mask']), g.i64([1], [])]);
  const past = g.op('Sub', [Tk, T]);
  const qPos = g.op('Unsqueeze', [g.op('Range', [past, Tk, g.i64([1], [])]), g.i64([1])]); // [T, 1]
  const kPos = g.op('Range', [g.i64([0], []), Tk, g.i64([1], [])]); // [Tk]
  const causal = g.op('LessOrEqual', [kPos, qPos]); // [T, Tk]
  const padded = g.op('Unsqueeze', [g.op('Cast', ['attention_mask'], { to: int(9) }), g.i64([1, 2, 3])]); // [B, 1, 1, 1, Tk]
  const bias = g.op('Where', [g.op('And', [causal, padded]), g.scalar(0), g.scalar(MASKED)]);

  const norm = (h: string, n: NormWeights, name: string): string => {
    const scale = g.f32(`${name}.weight`, [C], n.scale);
    const eps = g.scalar(a.normEps);
    let y: string;
    if (a.norm === 'rms') {
      const ms = g.op('ReduceMean', [g.op('Mul', [h, h])], { axes: ints([-1]), keepdims: int(1) });
      y = g.op('Mul', [h, g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [ms, eps])])])]);
    } else {
      const centred = g.op('Sub', [h, g.op('ReduceMean', [h], { axes: ints([-1]), keepdims: int(1) })]);
      const variance = g.op('ReduceMean', [g.op('Mul', [centred, centred])], { axes: ints([-1]), keepdims: int(1) });
      y = g.op('Mul', [centred, g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [variance, eps])])])]);
    }
    y = g.op('Mul', [y, scale]);
    return n.bias ? g.op('Add', [y, g.f32(`${name}.bias`, [C], n.bias)]) : y;
  };
  const dense = (h: string, p: DenseWeights, name: string): string => {
    const y = integer ? matmulInteger(h, storeInteger(g, `${name}.weight`, p.w, p.inF, p.outF, 'kn')) : g.op('MatMul', [h, storeMatrix(g, kind, `${name}.weight`, p.w, p.inF, p.outF)]);
    return p.b ? g.op('Add', [y, g.f32(`${name}.bias`, [p.outF], p.b)]) : y;
  };
  /** [B, T, n·d] → [B, n, T, d] */
  const heads = (h: string, n: number) => g.op('Transpose', [g.op('Reshape', [h, g.i64([0, 0, n, d])])], { perm: ints([0, 2, 1, 3]) });
  const rotate = (h: string): string => {
    if (!rope) return h;
    const [x1, x2] = g.opN('Split', [h, g.i64([d / 2, d / 2])], 2, { axis: int(-1) });
    const r1 = g.op('Sub', [g.op('Mul', [x1, rope.cos]), g.op('Mul', [x2, rope.sin])]);
    const r2 = g.op('Add', [g.op('Mul', [x2, rope.cos]), g.op('Mul', [x1, rope.sin])]);
    return g.op('Concat', [r1, r2], { axis: int(-1) });
  };
  const gelu = (h: string): string => {
    // exact: 0.5·h·(1 + erf(h/√2)) (ONNX Erf, opset 9+); tanh: 0.5·h·(1 + tanh(√(2/π)·(h + 0.044715·h³)))
    if (a.gelu === 'exact') return g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Erf', [g.op('Mul', [h, g.scalar(Math.SQRT1_2)])]), g.scalar(1)])]), g.scalar(0.5)]);
    const inner = g.op('Mul', [g.op('Add', [h, g.op('Mul', [g.op('Pow', [h, g.scalar(3)]), g.scalar(0.044715)])]), g.scalar(Math.sqrt(2 / Math.PI))]);
    return g.op('Mul', [g.op('Mul', [h, g.op('Add', [g.op('Tanh', [inner]), g.scalar(1)])]), g.scalar(0.5)]);
  };

  const inputs: OnnxValueInfo[] = [
    { name: 'input_ids', type: 'int64', dims: ['batch_size', 'sequence_length'] },
    { name: 'attention_mask', type: 'int64', dims: ['batch_size', TOTAL] },
    { name: 'position_ids', type: 'int64', dims: ['batch_size', 'sequence_length'] },
  ];
  const outputs: OnnxValueInfo[] = [{ name: 'logits', type: 'float32', dims: ['batch_size', 'sequence_length', V] }];

  w.layers.forEach((l, i) => {
    const p = `model.layers.${i}`;
    g.scope = `${p}/attn`;
    const h = norm(x, l.attnNorm, `${p}.input_layernorm`);
    const q = rotate(heads(dense(h, l.q, `${p}.self_attn.q_proj`), H)); // [B, H, T, d]
    const k = rotate(heads(dense(h, l.k, `${p}.self_attn.k_proj`), KV)); // [B, KV, T, d]
    const v = heads(dense(h, l.v, `${p}.self_attn.v_proj`), KV);
    for (const kv of ['key', 'value']) {
      inputs.push({ name: `past_key_values.${i}.${kv}`, type: 'float32', dims: ['batch_size', KV, 'past_sequence_length', d] });
      outputs.push({ name: `present.${i}.${kv}`, type: 'float32', dims: ['batch_size', KV, TOTAL, d] });
    }
    const keys = g.op('Concat', [`past_key_values.${i}.key`, k], { axis: int(2) }, `present.${i}.key`); // [B, KV, Tk, d]
    const values = g.op('Concat', [`past_key_values.${i}.value`, v], { axis: int(2) }, `present.${i}.value`);
    const q5 = g.op('Reshape', [q, g.i64([0, KV, group, -1, d])]); // [B, KV, g, T, d]
    const kT = g.op('Transpose', [g.op('Unsqueeze', [keys, g.i64([2])])], { perm: ints([0, 1, 2, 4, 3]) }); // [B, KV, 1, d, Tk]
    const scores = g.op('Add', [g.op('Mul', [g.op('MatMul', [q5, kT]), g.scalar(1 / Math.sqrt(d))]), bias]); // [B, KV, g, T, Tk]
    const probs = g.op('Softmax', [scores], { axis: int(-1) });
    const o5 = g.op('MatMul', [probs, g.op('Unsqueeze', [values, g.i64([2])])]); // [B, KV, g, T, d]
    const merged = g.op('Reshape', [g.op('Transpose', [g.op('Reshape', [o5, g.i64([0, H, -1, d])])], { perm: ints([0, 2, 1, 3]) }), g.i64([0, 0, H * d])]);
    x = g.op('Add', [x, dense(merged, l.o, `${p}.self_attn.o_proj`)]);

    g.scope = `${p}/mlp`;
    const m = norm(x, l.mlpNorm, `${p}.post_attention_layernorm`);
    let act: string;
    if (l.gate) {
      const gate = dense(m, l.gate, `${p}.mlp.gate_proj`);
      act = g.op('Mul', [g.op('Mul', [gate, g.op('Sigmoid', [gate])]), dense(m, l.up, `${p}.mlp.up_proj`)]);
    } else {
      act = gelu(dense(m, l.up, `${p}.mlp.up_proj`));
    }
    x = g.op('Add', [x, dense(act, l.down, `${p}.mlp.down_proj`)]);
  });

  g.scope = 'head';
  const hf = norm(x, w.finalNorm, 'model.norm');
  if (integer) {
    matmulInteger(hf, w.head ? storeInteger(g, 'lm_head.weight', w.head, C, V, 'kn') : (embedI as IntegerMatrix), 'logits');
  } else {
    if (w.head) {
      g.op('MatMul', [hf, storeMatrix(g, kind, 'lm_head.weight', w.head, C, V)], undefined, 'logits');
    } else {
      // tied: hf · embedᵀ as a Gemm with transB over [B·T, C], not a MatMul by Transpose(embed), which
      // onnxruntime would fold into a second [C, V] copy of the table (65 MB more at minitron-48m's size, in
      // memory and in a saved .ort file)
      const y = g.op('Gemm', [g.op('Reshape', [hf, g.i64([-1, C])]), embed], { transB: int(1) });
      g.op('Reshape', [y, g.op('Concat', [g.op('Shape', ['input_ids']), g.i64([V])], { axis: int(0) })], undefined, 'logits');
    }
  }

  return {
    irVersion: ONNX_IR_VERSION,
    opset: ONNX_OPSET,
    producer: 'versiflow',
    producerVersion: '1',
    docString: `${family === 'llama' ? 'LlamaForCausalLM-equivalent' : family === 'gpt2' ? 'GPT2LMHeadModel-equivalent' : 'Versiflow (no Transformers class)'} decoder with past key values (Optimum layout), weights ${kind}`,
    graph: g.graph(`versiflow_${family}_decoder`, inputs, outputs),
  };
}
