import type { OnnxAttr, OnnxGraph, OnnxNode, OnnxTensor, OnnxType, OnnxValueInfo } from './onnxProto.ts';

/** Attribute helpers: `int(1)`, `ints([0, 2, 1, 3])`, `float(0.5)`. */
export const int = (i: number): OnnxAttr => ({ i });
export const ints = (v: readonly number[]): OnnxAttr => ({ ints: v });
export const float = (f: number): OnnxAttr => ({ f });

const bytesOf = (a: Float32Array | BigInt64Array | Int8Array | Uint8Array): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Builds an ONNX graph node by node: every op returns its output's name (unique, under the current
 * `scope`), constants are initializers (small ones shared by value), so the graph reads like the
 * maths it computes. Nodes are emitted in call order, which is a topological order.
 */
export class GraphBuilder {
  private readonly nodes: OnnxNode[] = [];
  private readonly inits: OnnxTensor[] = [];
  private readonly consts = new Map<string, string>();
  private count = 0;
  /** Prefix of the names made next (e.g. "layers.0/attn"). */
  scope = '';

  private fresh(op: string): string {
    return `/${this.scope ? `${this.scope}/` : ''}${op}_${this.count++}`;
  }

  /** One node with one output; returns the output's name (or `out`, when given). */
  op(op: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, out?: string): string {
    return this.opN(op, inputs, 1, attrs, out ? [out] : undefined)[0];
  }

  /** One node with `n` outputs. */
  opN(op: string, inputs: readonly string[], n: number, attrs?: Readonly<Record<string, OnnxAttr>>, outs?: readonly string[]): string[] {
    const name = this.fresh(op);
    const outputs = outs ?? Array.from({ length: n }, (_, i) => `${name}_output_${i}`);
    this.nodes.push({ op, name, inputs, outputs, ...(attrs ? { attrs } : {}) });
    return [...outputs];
  }

  /** An initializer of any type from its little-endian bytes. */
  initializer(name: string, type: OnnxType, dims: readonly number[], raw: Uint8Array): string {
    this.inits.push({ name, type, dims, raw });
    return name;
  }

  f32(name: string, dims: readonly number[], data: Float32Array): string {
    return this.initializer(name, 'float32', dims, bytesOf(data));
  }

  /** A small int64 constant (shared by value): a scalar when `dims` is [], else a 1-D list. */
  i64(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(`i64:${dims}:${values}`, () => this.initializer(`/const/i64_${this.inits.length}`, 'int64', dims, bytesOf(BigInt64Array.from(values, (v) => BigInt(v)))));
  }

  /** A float32 scalar constant (shared by value). */
  scalar(v: number): string {
    return this.constant(`f32:${v}`, () => this.f32(`/const/f32_${this.inits.length}`, [], Float32Array.of(v)));
  }

  private constant(key: string, make: () => string): string {
    let name = this.consts.get(key);
    if (!name) {
      name = make();
      this.consts.set(key, name);
    }
    return name;
  }

  graph(name: string, inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[]): OnnxGraph {
    return { name, nodes: this.nodes, initializers: this.inits, inputs, outputs };
  }
}
