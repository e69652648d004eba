import { forEachProtobufField, varintValue } from './protobuf-wire';

describe('forEachProtobufField()', () => {
  // field 1 varint 150; field 2 "hi"; field 3 fixed64 1; field 4 fixed32 2; field 5 a nested message {field 1 varint 1}
  const message = Buffer.from([0x08, 0x96, 0x01, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 0, 0, 0, 0, 0, 0, 0, 0x25, 2, 0, 0, 0, 0x2a, 0x02, 0x08, 0x01]);

  it('visits every field in order with its wire type and the byte range of its value', () => {
    const seen: [number, number, string][] = [];
    forEachProtobufField(message, 0, message.length, (field, wireType, start, end) => seen.push([field, wireType, message.subarray(start, end).toString('hex')]));
    expect(seen).toEqual([
      [1, 0, '9601'],
      [2, 2, '6869'],
      [3, 1, '0100000000000000'],
      [4, 5, '02000000'],
      [5, 2, '0801'],
    ]);
  });

  it('reads a varint exactly, up to 64 bits', () => {
    expect(varintValue(message, 1, 3)).toBe(150n);
    // -1 as an int64: ten bytes, two's complement
    const minusOne = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(BigInt.asIntN(64, varintValue(minusOne, 0, minusOne.length))).toBe(-1n);
  });

  it('refuses a truncated message and a group', () => {
    expect(() => forEachProtobufField(message, 0, 5, () => undefined)).toThrow('truncated field');
    expect(() => forEachProtobufField(Buffer.from([0x08, 0x96]), 0, 2, () => undefined)).toThrow('truncated varint');
    expect(() => forEachProtobufField(Buffer.from([0x19, 1, 0]), 0, 3, () => undefined)).toThrow('truncated field');
    expect(() => forEachProtobufField(Buffer.from([0x0b]), 0, 1, () => undefined)).toThrow('unsupported wire type 3');
  });
});
