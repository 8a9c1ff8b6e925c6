/**
 * The GGUF container (version 3) that llama.cpp reads: header, typed key/value metadata, tensor
 * infos, then the tensors' data, each aligned to 32 bytes (`general.alignment`). Pure: values in,
 * bytes out, and back (decodeGguf reads what encodeGguf writes, plus any v3 file, for tests and tools).
 * Layout [ggml-org/llama.cpp gguf-py/gguf/constants.py, ggml/include/gguf.h]: little-endian; a string
 * is u64 length + UTF-8 bytes; an array is element type u32 + count u64 + elements; a tensor info is
 * name, n_dims u32, ne u64 × n_dims (ne[0] the contiguous axis), ggml type u32, offset u64 (from the
 * start of the data section).
 */

/** GGUF metadata value types. */
export const GGUF_VALUE = { uint8: 0, int8: 1, uint16: 2, int16: 3, uint32: 4, int32: 5, float32: 6, bool: 7, string: 8, array: 9, uint64: 10, int64: 11, float64: 12 } as const;
export type GgufScalarType = Exclude<keyof typeof GGUF_VALUE, 'array'>;

/** ggml tensor types this writer emits (block size, bytes per block). */
export const GGML_TYPE = { F32: 0, F16: 1, Q8_0: 8 } as const;
export type GgmlType = keyof typeof GGML_TYPE;
const BLOCK: Record<GgmlType, { values: number; bytes: number }> = { F32: { values: 1, bytes: 4 }, F16: { values: 1, bytes: 2 }, Q8_0: { values: 32, bytes: 34 } };

export type GgufKv =
  | { readonly key: string; readonly type: GgufScalarType; readonly value: number | bigint | boolean | string }
  | { readonly key: string; readonly type: 'array'; readonly elem: GgufScalarType; readonly value: readonly (number | string | boolean)[] };

export interface GgufTensor {
  readonly name: string;
  /** ggml dims: ne[0] is the contiguous one (a row-major [rows, cols] matrix is ne = [cols, rows]). */
  readonly ne: readonly number[];
  readonly type: GgmlType;
  /** Encoded values (see quantize.ts), ne-product values' worth of `type`. */
  readonly data: Uint8Array;
}

export const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian
export const GGUF_ALIGNMENT = 32;

/** Bytes `count` values of `type` take. */
export function ggmlBytes(type: GgmlType, count: number): number {
  const b = BLOCK[type];
  if (count % b.values) throw new Error(`${type} needs a multiple of ${b.values} values per row, got ${count}`);
  return (count / b.values) * b.bytes;
}

const pad = (n: number, a: number) => Math.ceil(n / a) * a;

/** Grows a byte buffer as values are appended. */
class Out {
  buf = new Uint8Array(1 << 16);
  view = new DataView(this.buf.buffer);
  n = 0;
  private room(k: number): void {
    if (this.n + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.n + k));
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.room(1); this.view.setUint8(this.n, v); this.n += 1; }
  u32(v: number) { this.room(4); this.view.setUint32(this.n, v, true); this.n += 4; }
  u64(v: number | bigint) { this.room(8); this.view.setBigUint64(this.n, BigInt(v), true); this.n += 8; }
  bytes(b: Uint8Array) { this.room(b.length); this.buf.set(b, this.n); this.n += b.length; }
  str(s: string) { const b = utf8.encode(s); this.u64(b.length); this.bytes(b); }
  scalar(type: GgufScalarType, v: number | bigint | boolean | string): void {
    this.room(8);
    const d = this.view;
    const at = this.n;
    switch (type) {
      case 'uint8': d.setUint8(at, Number(v)); this.n += 1; return;
      case 'int8': d.setInt8(at, Number(v)); this.n += 1; return;
      case 'uint16': d.setUint16(at, Number(v), true); this.n += 2; return;
      case 'int16': d.setInt16(at, Number(v), true); this.n += 2; return;
      case 'uint32': d.setUint32(at, Number(v), true); this.n += 4; return;
      case 'int32': d.setInt32(at, Number(v), true); this.n += 4; return;
      case 'float32': d.setFloat32(at, Number(v), true); this.n += 4; return;
      case 'bool': d.setUint8(at, v ? 1 : 0); this.n += 1; return;
      case 'uint64': d.setBigUint64(at, BigInt(v), true); this.n += 8; return;
      case 'int64': d.setBigInt64(at, BigInt(v), true); this.n += 8; return;
      case 'float64': d.setFloat64(at, Number(v), true); this.n += 8; return;
      case 'string': this.str(String(v)); return;
    }
  }
}

const utf8 = new TextEncoder();

/** A GGUF v3 file of `kv` (in order; general.alignment is added when absent) and `tensors` (in order). */
export function encodeGguf(kv: readonly GgufKv[], tensors: readonly GgufTensor[]): Uint8Array {
  const names = new Set<string>();
  for (const t of tensors) {
    if (names.has(t.name)) throw new Error(`GGUF: tensor "${t.name}" appears twice`);
    names.add(t.name);
    const count = t.ne.reduce((a, d) => a * d, 1);
    if (t.data.length !== ggmlBytes(t.type, count)) throw new Error(`GGUF: tensor "${t.name}" has ${t.data.length} bytes, ${t.type} [${t.ne}] needs ${ggmlBytes(t.type, count)}`);
  }
  const all = kv.some((e) => e.key === 'general.alignment') ? kv : [...kv, { key: 'general.alignment', type: 'uint32', value: GGUF_ALIGNMENT } as GgufKv];
  const o = new Out();
  o.u32(GGUF_MAGIC);
  o.u32(3);
  o.u64(tensors.length);
  o.u64(all.length);
  for (const e of all) {
    o.str(e.key);
    o.u32(GGUF_VALUE[e.type]);
    if (e.type === 'array') {
      o.u32(GGUF_VALUE[e.elem]);
      o.u64(e.value.length);
      for (const v of e.value) o.scalar(e.elem, v);
    } else o.scalar(e.type, e.value);
  }
  let offset = 0;
  const offsets: number[] = [];
  for (const t of tensors) {
    o.str(t.name);
    o.u32(t.ne.length);
    for (const d of t.ne) o.u64(d);
    o.u32(GGML_TYPE[t.type]);
    o.u64(offset);
    offsets.push(offset);
    offset = pad(offset + t.data.length, GGUF_ALIGNMENT);
  }
  const dataStart = pad(o.n, GGUF_ALIGNMENT);
  const file = new Uint8Array(dataStart + offset);
  file.set(o.buf.subarray(0, o.n));
  tensors.forEach((t, i) => file.set(t.data, dataStart + offsets[i]));
  return file;
}

/** What decodeGguf returns: metadata by key, tensor infos with their data slices. */
export interface GgufContents {
  readonly version: number;
  readonly kv: Map<string, unknown>;
  readonly tensors: { name: string; ne: number[]; type: number; offset: number; data: Uint8Array }[];
}

/** Reads a GGUF v2/v3 file (arrays come back as JS arrays, 64-bit integers as numbers). */
export function decodeGguf(bytes: Uint8Array): GgufContents {
  const d = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const td = new TextDecoder();
  const u32 = () => ((at += 4), d.getUint32(at - 4, true));
  const u64 = () => ((at += 8), Number(d.getBigUint64(at - 8, true)));
  const str = () => { const n = u64(); at += n; return td.decode(bytes.subarray(at - n, at)); };
  const scalar = (t: number): unknown => {
    switch (t) {
      case 0: return d.getUint8((at += 1) - 1);
      case 1: return d.getInt8((at += 1) - 1);
      case 2: return d.getUint16((at += 2) - 2, true);
      case 3: return d.getInt16((at += 2) - 2, true);
      case 4: return u32();
      case 5: return d.getInt32((at += 4) - 4, true);
      case 6: return d.getFloat32((at += 4) - 4, true);
      case 7: return d.getUint8((at += 1) - 1) !== 0;
      case 8: return str();
      case 10: return u64();
      case 11: return Number(d.getBigInt64((at += 8) - 8, true));
      case 12: return d.getFloat64((at += 8) - 8, true);
      default: throw new Error(`GGUF: unknown value type ${t} at byte ${at}`);
    }
  };
  if (u32() !== GGUF_MAGIC) throw new Error('GGUF: bad magic (not a GGUF file)');
  const version = u32();
  const nt = u64();
  const nkv = u64();
  const kv = new Map<string, unknown>();
  for (let i = 0; i < nkv; i++) {
    const key = str();
    const t = u32();
    if (t === 9) {
      const et = u32();
      const n = u64();
      const arr: unknown[] = [];
      for (let j = 0; j < n; j++) arr.push(scalar(et));
      kv.set(key, arr);
    } else kv.set(key, scalar(t));
  }
  const infos: { name: string; ne: number[]; type: number; offset: number }[] = [];
  for (let i = 0; i < nt; i++) {
    const name = str();
    const nd = u32();
    const ne: number[] = [];
    for (let j = 0; j < nd; j++) ne.push(u64());
    infos.push({ name, ne, type: u32(), offset: u64() });
  }
  const align = Number(kv.get('general.alignment') ?? GGUF_ALIGNMENT);
  const start = pad(at, align);
  const bytesOf: Record<number, GgmlType> = { 0: 'F32', 1: 'F16', 8: 'Q8_0' };
  const tensors = infos.map((t) => {
    const ty = bytesOf[t.type];
    const len = ty ? ggmlBytes(ty, t.ne.reduce((a, x) => a * x, 1)) : 0;
    return { ...t, data: bytes.subarray(start + t.offset, start + t.offset + len) };
  });
  return { version, kv, tensors };
}
