/**
 * A minimal protocol-buffers writer: varints (wire type 0), 32-bit floats (wire type 5) and
 * length-delimited fields (wire type 2: strings, bytes, nested messages, packed repeated values).
 * Enough to write ONNX's ModelProto; no reader. Large byte fields are kept by reference (chunks), so
 * a model's weights are copied once, when the file is assembled.
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private small: number[] = [];
  private size = 0;

  /** Bytes written so far. */
  get length(): number {
    return this.size + this.small.length;
  }

  private flush(): void {
    if (this.small.length === 0) return;
    this.chunks.push(Uint8Array.from(this.small));
    this.size += this.small.length;
    this.small = [];
  }

  /** An unsigned varint; negative int64 values are written as their 64-bit two's complement (10 bytes). */
  private varint(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v <= 0xffffffff) {
      let x = v;
      while (x > 0x7f) {
        this.small.push((x & 0x7f) | 0x80);
        x = Math.floor(x / 128);
      }
      this.small.push(x);
      return;
    }
    if (typeof v === 'number' && !Number.isSafeInteger(v)) throw new RangeError(`protobuf: ${v} is not an integer that a varint can hold exactly`);
    let x = BigInt.asUintN(64, BigInt(v));
    while (x > 0x7fn) {
      this.small.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.small.push(Number(x));
  }

  private tag(field: number, wire: 0 | 2 | 5): void {
    this.varint(field * 8 + wire);
  }

  /** An int32/int64/enum/bool field (wire type 0). */
  int(field: number, v: number | bigint): this {
    this.tag(field, 0);
    this.varint(v);
    return this;
  }

  /** A 32-bit float field (wire type 5), little-endian. */
  float(field: number, v: number): this {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, v, true);
    this.small.push(...b);
    return this;
  }

  /** A bytes field; `b` is kept by reference, not copied. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2);
    this.varint(b.length);
    if (b.length < 64) {
      for (const x of b) this.small.push(x);
      return this;
    }
    this.flush();
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }

  /** A string field, UTF-8. */
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }

  /** A nested message field (the writer's bytes, by reference). */
  message(field: number, m: ProtoWriter): this {
    m.flush();
    this.tag(field, 2);
    this.varint(m.size);
    this.flush();
    this.chunks.push(...m.chunks);
    this.size += m.size;
    return this;
  }

  /** A packed repeated int64 field (one length-delimited run of varints). */
  packedInts(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    return this.message(field, inner);
  }

  /** A packed repeated float field. */
  packedFloats(field: number, values: readonly number[]): this {
    const b = new Uint8Array(4 * values.length);
    const view = new DataView(b.buffer);
    values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return this.bytes(field, b);
  }

  /** The written bytes as chunks (for writing a large file without one more copy). */
  parts(): readonly Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  /** The written bytes as one array. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}
