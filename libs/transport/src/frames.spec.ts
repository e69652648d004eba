import { encodeFrames, FrameDecoder, FrameTooLargeError } from './frames';

function decodeAll(chunks: Buffer[], maxFrameBytes?: number): unknown[] {
  const messages: unknown[] = [];
  const decoder = new FrameDecoder((message) => messages.push(message), maxFrameBytes);
  for (const chunk of chunks) decoder.push(chunk);
  return messages;
}

describe('frames', () => {
  const messages = [{ id: 1, pattern: 'cart.get', data: { sid: 'x' } }, { id: 2, text: 'zürich → 東京' }, []];
  const bytes = encodeFrames(messages.map((m) => JSON.stringify(m)));

  it('round-trips several frames sent in one chunk', () => {
    expect(decodeAll([bytes])).toEqual(messages);
  });

  it('counts bytes, not characters, so multi-byte text survives', () => {
    const [, second] = decodeAll([bytes]) as Array<{ text: string }>;
    expect(second.text).toBe('zürich → 東京');
  });

  it('reassembles frames split at every possible byte', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      expect(decodeAll([bytes.subarray(0, cut), bytes.subarray(cut)])).toEqual(messages);
    }
  });

  it('reassembles a stream delivered one byte at a time', () => {
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    expect(decodeAll(chunks)).toEqual(messages);
  });

  it('refuses a frame longer than the limit before buffering it', () => {
    const big = encodeFrames([JSON.stringify({ data: 'x'.repeat(2000) })]);
    expect(() => decodeAll([big.subarray(0, 10)], 1000)).toThrow(FrameTooLargeError);
  });

  it('throws on a frame that is not JSON', () => {
    expect(() => decodeAll([encodeFrames(['{"id": 1,'])])).toThrow(SyntaxError);
  });
});
