/**
 * A protobuf wire-format writer for the few OTLP messages the lean tracer sends: varints,
 * fixed64/fixed32, length-delimited bytes and strings, and nested messages whose length is
 * filled in when they end. One growable buffer, reused: encoding a span allocates nothing but
 * what the buffer's growth needs.
 */
export class ProtoWriter {
  private buffer: Buffer;
  private position = 0;
  private readonly starts: number[] = [];

  constructor(initialBytes = 16 * 1024) {
    this.buffer = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.position;
  }

  /** The bytes written so far (a view: valid until the next write or reset). */
  view(): Buffer {
    return this.buffer.subarray(0, this.position);
  }

  reset(): void {
    this.position = 0;
    this.starts.length = 0;
  }

  /** The tag of field `field` with wire type `wireType` (0 varint, 1 fixed64, 2 length-delimited, 5 fixed32). */
  tag(field: number, wireType: 0 | 1 | 2 | 5): this {
    return this.varint(field * 8 + wireType);
  }

  /** A non-negative integer up to 2^53 as a varint. */
  varint(value: number): this {
    this.ensure(10);
    while (value >= 0x80) {
      this.buffer[this.position++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    this.buffer[this.position++] = value;
    return this;
  }

  /** A signed 64-bit integer (int64) as a varint: negatives take ten bytes, two's complement. */
  int64(value: number): this {
    if (value >= 0) return this.varint(value);
    this.ensure(10);
    let big = BigInt.asUintN(64, BigInt(value));
    while (big >= 0x80n) {
      this.buffer[this.position++] = Number(big & 0x7fn) | 0x80;
      big >>= 7n;
    }
    this.buffer[this.position++] = Number(big);
    return this;
  }

  /** A fixed64 from its low and high 32-bit halves. */
  fixed64(low: number, high: number): this {
    this.ensure(8);
    this.buffer.writeUInt32LE(low >>> 0, this.position);
    this.buffer.writeUInt32LE(high >>> 0, this.position + 4);
    this.position += 8;
    return this;
  }

  fixed32(value: number): this {
    this.ensure(4);
    this.buffer.writeUInt32LE(value >>> 0, this.position);
    this.position += 4;
    return this;
  }

  double(value: number): this {
    this.ensure(8);
    this.buffer.writeDoubleLE(value, this.position);
    this.position += 8;
    return this;
  }

  string(field: number, value: string): this {
    this.tag(field, 2);
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes).ensure(bytes);
    this.position += this.buffer.write(value, this.position, bytes, 'utf8');
    return this;
  }

  /** A `bytes` field from a hex string (trace and span ids). */
  hexBytes(field: number, hex: string): this {
    const bytes = hex.length >>> 1;
    this.tag(field, 2).varint(bytes).ensure(bytes);
    this.position += this.buffer.write(hex, this.position, bytes, 'hex');
    return this;
  }

  /** A `bytes` field, or an already-encoded sub-message, copied in. */
  bytes(field: number, value: Uint8Array): this {
    this.tag(field, 2).varint(value.length).ensure(value.length);
    this.buffer.set(value, this.position);
    this.position += value.length;
    return this;
  }

  /** Raw, already-encoded fields copied in as they are. */
  raw(value: Uint8Array): this {
    this.ensure(value.length);
    this.buffer.set(value, this.position);
    this.position += value.length;
    return this;
  }

  /** Opens a nested message in field `field`; close it with {@link end}. */
  begin(field: number): this {
    this.tag(field, 2);
    // Room for the longest length varint a message here can need (5 bytes: < 4 GiB); end()
    // writes the real one and moves the body back over what it did not use.
    this.ensure(5);
    this.starts.push(this.position);
    this.position += 5;
    return this;
  }

  end(): this {
    const start = this.starts.pop();
    if (start === undefined) throw new Error('ProtoWriter.end() without begin()');
    const bodyStart = start + 5;
    const length = this.position - bodyStart;
    let cursor = start;
    let value = length;
    while (value >= 0x80) {
      this.buffer[cursor++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    this.buffer[cursor++] = value;
    if (cursor !== bodyStart) this.buffer.copy(this.buffer, cursor, bodyStart, this.position);
    this.position = cursor + length;
    return this;
  }

  private ensure(bytes: number): this {
    if (this.position + bytes <= this.buffer.length) return this;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.position + bytes));
    this.buffer.copy(grown, 0, 0, this.position);
    this.buffer = grown;
    return this;
  }
}
