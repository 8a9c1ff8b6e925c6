/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
 * `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__: {string: string}}`, then the raw
 * little-endian tensor bytes. Pure byte encoding; the caller does the file I/O.
 */
export interface NamedArray {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

const DTYPE = { F32: Float32Array, I32: Int32Array } as const;
type Dtype = keyof typeof DTYPE;

export function encodeSafetensors(tensors: readonly NamedArray[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = t.data.byteLength;
    header[t.name] = { dtype: t.data instanceof Int32Array ? 'I32' : 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8); // align the data to 8 bytes, as the reference writer does
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let p = 8 + head.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), p);
    p += t.data.byteLength;
  }
  return out;
}

export interface DecodedSafetensors {
  readonly tensors: Map<string, NamedArray>;
  readonly metadata: Record<string, string>;
}

/** Parses a safetensors buffer; throws an Error saying what is malformed. */
export function decodeSafetensors(bytes: Uint8Array): DecodedSafetensors {
  if (bytes.length < 8) throw new Error('file is shorter than the 8-byte safetensors header');
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (n <= 0 || 8 + n > bytes.length) throw new Error(`header length ${n} does not fit a ${bytes.length}-byte file`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] } | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`header is not valid JSON: ${(e as Error).message}`);
  }
  const base = 8 + n;
  const tensors = new Map<string, NamedArray>();
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: [b, e] } = info as { dtype: string; shape: number[]; data_offsets: [number, number] };
    const Ctor = DTYPE[dtype as Dtype];
    if (!Ctor) throw new Error(`tensor "${name}" has dtype ${dtype}; only F32 and I32 are supported`);
    const count = shape.reduce((a, d) => a * d, 1);
    if (e - b !== count * 4 || base + e > bytes.length) throw new Error(`tensor "${name}": offsets [${b}, ${e}] do not match shape [${shape}]`);
    const copy = bytes.slice(base + b, base + e); // aligned copy
    tensors.set(name, { name, shape, data: new Ctor(copy.buffer, 0, count) });
  }
  return { tensors, metadata: (header.__metadata__ as Record<string, string>) ?? {} };
}
