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
    const length = value.length;
    // Short ASCII strings (attribute keys, names, routes: nearly all of them) are copied
    // character by character: cheaper than Buffer.byteLength plus a native write for a few bytes.
    if (length < 0x80) {
      this.ensure(length + 1);
      const buffer = this.buffer;
      let cursor = this.position + 1;
      let i = 0;
      for (; i < length; i++) {
        const code = value.charCodeAt(i);
        if (code >= 0x80) break;
        buffer[cursor++] = code;
      }
      if (i === length) {
        buffer[this.position] = length;
        this.position = cursor;
        return this;
      }
    }
    const bytes = Buffer.byteLength(value, 'utf8');
    this.varint(bytes).ensure(bytes);
    this.position += this.buffer.write(value, this.position, bytes, 'utf8');
    return this;
  }

  /** A `bytes` field from a hex string (trace and span ids); a character that is not hex counts as 0. */
  hexBytes(field: number, hex: string): this {
    const bytes = hex.length >>> 1;
    this.tag(field, 2).varint(bytes).ensure(bytes);
    const buffer = this.buffer;
    let cursor = this.position;
    for (let i = 0; i < bytes; i++) buffer[cursor++] = (hexDigit(hex.charCodeAt(2 * i)) << 4) | hexDigit(hex.charCodeAt(2 * i + 1));
    this.position = cursor;
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
    // One byte for the length: enough below 128 bytes, which most nested messages are (a
    // key-value, an attribute's value). end() moves a longer body forward to make room.
    this.ensure(1);
    this.starts.push(this.position);
    this.position += 1;
    return this;
  }

  end(): this {
    const start = this.starts.pop();
    if (start === undefined) throw new Error('ProtoWriter.end() without begin()');
    const bodyStart = start + 1;
    const length = this.position - bodyStart;
    if (length < 0x80) {
      this.buffer[start] = length;
      return this;
    }
    let extra = 0;
    for (let value = length >>> 7; value > 0; value >>>= 7) extra++;
    this.ensure(extra);
    const buffer = this.buffer;
    buffer.copyWithin(bodyStart + extra, bodyStart, this.position);
    let cursor = start;
    let value = length;
    while (value >= 0x80) {
      buffer[cursor++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buffer[cursor] = value;
    this.position += extra;
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

/** The value of a hex digit's character code (either case); 0 for anything else. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return 0;
}
