/**
 * The exported ONNX decoder (Optimum layout, src/model/formats/onnx/decoderGraph.ts) run by an
 * onnxruntime module (onnxruntime-node's native library in the single executable; any object with
 * the same InferenceSession/Tensor API works) with its KV cache: `past_key_values.{i}.key|value` in,
 * `present.{i}.key|value` out, kept between calls.
 */

/** The part of onnxruntime's Tensor the decoder reads. */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** The part of an onnxruntime module (onnxruntime-node, onnxruntime-web) the decoder uses. */
export interface OrtModule {
  readonly InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  readonly Tensor: new (type: 'int64' | 'float32', data: BigInt64Array | Float32Array, dims: readonly number[]) => OrtTensor;
}

export interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release?(): Promise<void>;
}

/** What the decoder needs to know of the model: cache shapes and sizes. */
export interface DecoderShape {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  readonly context: number;
  readonly vocabSize: number;
}

/** A model's DecoderShape (a GptConfig, or anything with those fields), those fields only. */
export const decoderShapeOf = ({ layers, kvHeads, headDim, context, vocabSize }: DecoderShape): DecoderShape => ({ layers, kvHeads, headDim, context, vocabSize });

export class OnnxDecoder {
  private past: OrtTensor[] = [];
  private cached = 0;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly shape: DecoderShape,
    /** The model's bytes: an ORT-format session reads its initializers in place, so they must outlive it. */
    private readonly bytes: Uint8Array,
  ) {
    this.clear();
  }

  /**
   * Prepares the model's bytes. `format` 'onnx': ORT parses the protobuf and runs its graph
   * optimisations here (`disable_quant_qdq` lets constant folding dequantise DequantizeLinear int8 weights
   * at load instead of at every token). 'ort': ORT's own format, optimised at build time (build-chat's
   * optimizeForOrt): no optimisation at load, and the initializers are used where they lie in `model`
   * (`use_ort_model_bytes_directly` + `use_ort_model_bytes_for_initializers`: no copy; the decoder keeps
   * `model` alive). `prepack` false (`disable_prepacking`): the matrices are not copied into packed
   * form at load (most of an ORT-format load: fresh memory); the GEMMs pack their panels as they go,
   * slower per token. Figures in docs/ship.md.
   */
  static async load(ort: OrtModule, model: Uint8Array, shape: DecoderShape, o: { readonly format?: 'onnx' | 'ort'; readonly prepack?: boolean } = {}): Promise<OnnxDecoder> {
    const session: Record<string, string> = o.format === 'ort' ? { load_model_format: 'ORT', use_ort_model_bytes_directly: '1', use_ort_model_bytes_for_initializers: '1' } : { disable_quant_qdq: '1' };
    if (o.prepack === false) session.disable_prepacking = '1';
    const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: o.format === 'ort' ? 'disabled' : 'all', extra: { session } });
    return new OnnxDecoder(ort, s, shape, model);
  }

  /** Positions in the cache. */
  get length(): number {
    return this.cached;
  }

  /** Empties the cache (a new conversation, or a slide). */
  clear(): void {
    const { layers, kvHeads, headDim } = this.shape;
    this.past = Array.from({ length: 2 * layers }, () => new this.ort.Tensor('float32', new Float32Array(0), [1, kvHeads, 0, headDim]));
    this.cached = 0;
  }

  /**
   * Feeds `ids` after the cached positions and returns the logits row [V] of the last one (a copy);
   * the cache grows by ids.length. Throws a RangeError past the context.
   */
  async forward(ids: readonly number[]): Promise<Float32Array> {
    const T = ids.length;
    const total = this.cached + T;
    if (T === 0 || total > this.shape.context) throw new RangeError(`OnnxDecoder: ${this.cached} cached + ${T} new positions must be 1..${this.shape.context} (the context)`);
    const i64 = (xs: readonly number[]) => BigInt64Array.from(xs, (x) => BigInt(x));
    const feeds: Record<string, OrtTensor> = {
      input_ids: new this.ort.Tensor('int64', i64(ids), [1, T]),
      attention_mask: new this.ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
      position_ids: new this.ort.Tensor('int64', i64(ids.map((_, i) => this.cached + i)), [1, T]),
    };
    for (let l = 0; l < this.shape.layers; l++) {
      feeds[`past_key_values.${l}.key`] = this.past[2 * l];
      feeds[`past_key_values.${l}.value`] = this.past[2 * l + 1];
    }
    const out = await this.session.run(feeds);
    for (let l = 0; l < this.shape.layers; l++) {
      this.past[2 * l] = out[`present.${l}.key`];
      this.past[2 * l + 1] = out[`present.${l}.value`];
    }
    this.cached = total;
    const V = this.shape.vocabSize;
    return (out.logits.data as Float32Array).slice((T - 1) * V, T * V);
  }

  /**
   * Scores whole windows: `ids` [B, T] (row-major), each row from position 0 with an empty past, in one
   * run; returns every position's logits [B, T, V]. The cache is not touched. (The int8 graph quantises
   * its activations with one scale per run, here over all B·T positions.)
   */
  async windowLogits(ids: Int32Array, B: number, T: number): Promise<Float32Array> {
    if (B < 1 || T < 1 || T > this.shape.context || ids.length !== B * T) throw new RangeError(`OnnxDecoder: windows of ${B} × ${T} ids (got ${ids.length}) must have 1..${this.shape.context} positions`);
    const { layers, kvHeads, headDim } = this.shape;
    const pos = new BigInt64Array(B * T);
    for (let i = 0; i < pos.length; i++) pos[i] = BigInt(i % T);
    const feeds: Record<string, OrtTensor> = {
      input_ids: new this.ort.Tensor('int64', BigInt64Array.from(ids, (x) => BigInt(x)), [B, T]),
      attention_mask: new this.ort.Tensor('int64', new BigInt64Array(B * T).fill(1n), [B, T]),
      position_ids: new this.ort.Tensor('int64', pos, [B, T]),
    };
    for (let l = 0; l < layers; l++) {
      for (const kv of ['key', 'value']) feeds[`past_key_values.${l}.${kv}`] = new this.ort.Tensor('float32', new Float32Array(0), [B, kvHeads, 0, headDim]);
    }
    const out = await this.session.run(feeds);
    return out.logits.data as Float32Array;
  }
}
