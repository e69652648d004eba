import { CHAT_LIMITS, parseChatFrame } from './chat';

describe('parseChatFrame()', () => {
  it('accepts a send frame and keeps only its known fields', () => {
    expect(parseChatFrame(JSON.stringify({ type: 'send', to: 'u-42', text: 'hi', id: 'm-1', extra: 1 }))).toEqual({ type: 'send', to: 'u-42', text: 'hi', id: 'm-1' });
  });

  it('answers bad_frame for JSON that is not one object', () => {
    for (const raw of ['not json', '[1]', 'null', '"send"']) expect(parseChatFrame(raw)).toMatchObject({ type: 'error', code: 'bad_frame' });
  });

  it('answers unknown_type for another type, echoing a readable id', () => {
    expect(parseChatFrame(JSON.stringify({ type: 'join', id: 'x1' }))).toEqual({ type: 'error', code: 'unknown_type', message: expect.any(String), id: 'x1' });
  });

  it('refuses a missing id, a malformed recipient and empty or oversized text', () => {
    expect(parseChatFrame(JSON.stringify({ type: 'send', to: 'u-1', text: 'hi' }))).toMatchObject({ code: 'bad_frame', message: expect.stringContaining('id') });
    expect(parseChatFrame(JSON.stringify({ type: 'send', to: 'u 1; drop', text: 'hi', id: 'a' }))).toMatchObject({ code: 'bad_frame', id: 'a' });
    expect(parseChatFrame(JSON.stringify({ type: 'send', to: 'u-1', text: '', id: 'a' }))).toMatchObject({ code: 'bad_frame' });
    expect(parseChatFrame(JSON.stringify({ type: 'send', to: 'u-1', text: 'x'.repeat(CHAT_LIMITS.maxTextChars + 1), id: 'a' }))).toMatchObject({ code: 'bad_frame' });
  });
});
