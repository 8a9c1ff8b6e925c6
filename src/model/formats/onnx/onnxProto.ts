import { ProtoWriter } from './protobuf.ts';

/**
 * ONNX's ModelProto and the messages it holds, as plain objects, and their protobuf encoding. Field
 * numbers are onnx/onnx.proto's (ModelProto: ir_version 1, producer_name 2, producer_version 3,
 * doc_string 6, graph 7, opset_import 8, metadata_props 14; GraphProto: node 1, name 2, initializer 5,
 * input 11, output 12; NodeProto: input 1, output 2, name 3, op_type 4, attribute 5, domain 7; AttributeProto:
 * name 1, f 2, i 3, s 4, t 5, floats 7, ints 8, type 20; TensorProto: dims 1, data_type 2, name 8,
 * raw_data 9; ValueInfoProto: name 1, type 2; TypeProto.tensor_type 1 → elem_type 1, shape 2;
 * TensorShapeProto.dim 1 → dim_value 1, dim_param 2; OperatorSetIdProto: domain 1, version 2).
 */

/** TensorProto.DataType values. */
export const ONNX_TYPE = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 } as const;
export type OnnxType = keyof typeof ONNX_TYPE;

/** A constant tensor (initializer or attribute), its little-endian bytes in `raw`. */
export interface OnnxTensor {
  readonly name: string;
  readonly type: OnnxType;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/** An attribute value: an int, a float, an int list, a string or a tensor. */
export type OnnxAttr = { readonly i: number } | { readonly f: number } | { readonly ints: readonly number[] } | { readonly s: string } | { readonly t: OnnxTensor };

export interface OnnxNode {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attrs?: Readonly<Record<string, OnnxAttr>>;
  /** Operator set domain; empty (the default) is "ai.onnx". Another one needs its entry in `OnnxModel.domains`. */
  readonly domain?: string;
}

/** A graph input or output: a tensor type and its dims (numbers, or symbolic names). */
export interface OnnxValueInfo {
  readonly name: string;
  readonly type: OnnxType;
  readonly dims: readonly (number | string)[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  readonly irVersion: number;
  /** Version of the default ("ai.onnx") operator set. */
  readonly opset: number;
  /** Further operator sets the nodes use, domain → version (e.g. { 'com.microsoft': 1 } for onnxruntime's contrib ops). */
  readonly domains?: Readonly<Record<string, number>>;
  readonly producer: string;
  readonly producerVersion: string;
  readonly docString?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly graph: OnnxGraph;
}

function tensor(t: OnnxTensor): ProtoWriter {
  const w = new ProtoWriter();
  if (t.dims.length) w.packedInts(1, t.dims);
  w.int(2, ONNX_TYPE[t.type]).string(8, t.name).bytes(9, t.raw);
  return w;
}

const ATTR_TYPE = { f: 1, i: 2, s: 3, t: 4, ints: 7 } as const;

function attribute(name: string, a: OnnxAttr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if ('i' in a) w.int(3, a.i).int(20, ATTR_TYPE.i);
  else if ('f' in a) w.float(2, a.f).int(20, ATTR_TYPE.f);
  else if ('ints' in a) w.packedInts(8, a.ints).int(20, ATTR_TYPE.ints);
  else if ('s' in a) w.string(4, a.s).int(20, ATTR_TYPE.s);
  else w.message(5, tensor(a.t)).int(20, ATTR_TYPE.t);
  return w;
}

function node(n: OnnxNode): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name).string(4, n.op);
  for (const [k, v] of Object.entries(n.attrs ?? {})) w.message(5, attribute(k, v));
  if (n.domain) w.string(7, n.domain);
  return w;
}

function valueInfo(v: OnnxValueInfo): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims) shape.message(1, typeof d === 'number' ? new ProtoWriter().int(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().int(1, ONNX_TYPE[v.type]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function graph(g: OnnxGraph): ProtoWriter {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, node(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, tensor(t));
  for (const v of g.inputs) w.message(11, valueInfo(v));
  for (const v of g.outputs) w.message(12, valueInfo(v));
  return w;
}

/** The model as protobuf bytes, in chunks (the weights are not copied); join them or write them in order. */
export function encodeOnnxModel(m: OnnxModel): readonly Uint8Array[] {
  const w = new ProtoWriter().int(1, m.irVersion).string(2, m.producer).string(3, m.producerVersion);
  if (m.docString) w.string(6, m.docString);
  w.message(7, graph(m.graph));
  w.message(8, new ProtoWriter().string(1, '').int(2, m.opset));
  for (const [domain, version] of Object.entries(m.domains ?? {})) w.message(8, new ProtoWriter().string(1, domain).int(2, version));
  for (const [k, v] of Object.entries(m.metadata ?? {})) w.message(14, new ProtoWriter().string(1, k).string(2, v));
  return w.parts();
}
