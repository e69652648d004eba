/** Protobuf wire types: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32 (3 and 4, groups, are refused). */
export type WireType = 0 | 1 | 2 | 5;

/**
 * Walks the fields of the protobuf message in buffer[start, end) and calls `visit` with each
 * field's number, wire type and the byte range of its value: a varint's own bytes, a fixed
 * field's 8 or 4 bytes, a length-delimited field's payload (a nested message is walked by
 * calling this again on that range). Throws on a truncated message or a group.
 */
export function forEachProtobufField(
  buffer: Buffer,
  start: number,
  end: number,
  visit: (field: number, wireType: WireType, valueStart: number, valueEnd: number) => void,
): void {
  let offset = start;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      if (offset >= end) throw new Error('truncated varint');
      const byte = buffer[offset++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (offset < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    const valueStart = offset;
    switch (wireType) {
      case 0:
        varint();
        break;
      case 1:
        offset += 8;
        break;
      case 5:
        offset += 4;
        break;
      case 2: {
        const length = varint();
        if (offset + length > end) throw new Error('truncated field');
        visit(field, wireType, offset, offset + length);
        offset += length;
        continue;
      }
      default:
        throw new Error(`unsupported wire type ${wireType}`);
    }
    if (offset > end) throw new Error('truncated field');
    visit(field, wireType, valueStart, offset);
  }
}

/** The value of the varint in buffer[start, end), exactly (a BigInt: int64 and uint64 fields). */
export function varintValue(buffer: Buffer, start: number, end: number): bigint {
  let value = 0n;
  for (let i = end - 1; i >= start; i--) value = (value << 7n) | BigInt(buffer[i] & 0x7f);
  return value;
}
