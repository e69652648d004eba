import { ProtoWriter } from './proto-writer';

/** A plain reference encoding of the protobuf wire format, built from whole parts: obviously right, and slow. */
function varint(value: number): number[] {
  const out: number[] = [];
  while (value >= 0x80) {
    out.push((value % 0x80) | 0x80);
    value = Math.floor(value / 0x80);
  }
  out.push(value);
  return out;
}

function lengthDelimited(field: number, body: number[]): number[] {
  return [...varint(field * 8 + 2), ...varint(body.length), ...body];
}

function utf8(value: string): number[] {
  return [...Buffer.from(value, 'utf8')];
}

describe('ProtoWriter', () => {
  it.each([
    ['empty', ''],
    ['ASCII', 'GET /api/cart'],
    ['127 ASCII characters', 'a'.repeat(127)],
    ['128 ASCII characters (a two-byte length)', 'b'.repeat(128)],
    ['non-ASCII after ASCII', 'caf\u00e9 \u00fcber'],
    ['astral characters', 'emoji \u{1F600}'],
    ['a long non-ASCII string', '\u00e9'.repeat(300)],
  ])('writes a %s string as its UTF-8 bytes with their length', (_label, value) => {
    const writer = new ProtoWriter(4);
    writer.string(5, value).string(1, 'next');
    expect([...writer.view()]).toEqual([...lengthDelimited(5, utf8(value)), ...lengthDelimited(1, utf8('next'))]);
  });

  it('writes hex ids as their bytes, in either case', () => {
    const writer = new ProtoWriter(4);
    writer.hexBytes(1, '0123456789abcdefABCDEF0011223344').hexBytes(2, 'fedcba9876543210');
    expect([...writer.view()]).toEqual([
      ...lengthDelimited(1, [...Buffer.from('0123456789abcdefabcdef0011223344', 'hex')]),
      ...lengthDelimited(2, [...Buffer.from('fedcba9876543210', 'hex')]),
    ]);
  });

  it.each([0, 1, 127, 128, 300, 16_383, 16_384, 70_000])('nests a message whose body is %i bytes, inside another, with exact lengths', (size) => {
    const inner = 'x'.repeat(size);
    const writer = new ProtoWriter(8);
    writer.begin(2).varint(150).begin(3);
    writer.raw(Buffer.from(inner, 'latin1'));
    writer.end().string(4, 'tail').end().tag(6, 0).varint(1);
    const innerMessage = lengthDelimited(3, utf8(inner));
    const outer = lengthDelimited(2, [...varint(150), ...innerMessage, ...lengthDelimited(4, utf8('tail'))]);
    expect([...writer.view()]).toEqual([...outer, ...varint(6 * 8), 1]);
  });

  it('reuses its buffer after reset and refuses an end() without a begin()', () => {
    const writer = new ProtoWriter(16);
    writer.begin(1).string(1, 'y'.repeat(200)).end();
    writer.reset();
    writer.begin(1).string(1, 'z').end();
    expect([...writer.view()]).toEqual(lengthDelimited(1, lengthDelimited(1, utf8('z'))));
    expect(() => writer.end()).toThrow('ProtoWriter.end() without begin()');
  });
});
