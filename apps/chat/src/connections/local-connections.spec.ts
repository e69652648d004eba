import type { ChatMessageFrame } from '@app/contracts';
import { ChatSocket, LocalConnections } from './local-connections';

class FakeSocket implements ChatSocket {
  readonly sent: string[] = [];
  constructor(public readyState = 1) {}
  send(data: string): void {
    this.sent.push(data);
  }
}

const frame: ChatMessageFrame = { type: 'message', from: 'u-1', to: 'u-2', text: 'hi', id: 'm1', sentAt: 1 };

describe('LocalConnections', () => {
  it("says which connection is a user's first and which is their last", () => {
    const local = new LocalConnections<FakeSocket>();
    const [a, b] = [new FakeSocket(), new FakeSocket()];
    expect(local.add('u-2', a)).toBe(true);
    expect(local.add('u-2', b)).toBe(false);
    expect(local.connections).toBe(2);
    expect(local.remove('u-2', a)).toBe(false);
    expect(local.remove('u-2', b)).toBe(true);
    expect(local.has('u-2')).toBe(false);
    expect(local.connections).toBe(0);
  });

  it('delivers to every open connection of the recipient and to no one else', () => {
    const local = new LocalConnections<FakeSocket>();
    const [a, b, closing, other] = [new FakeSocket(), new FakeSocket(), new FakeSocket(2), new FakeSocket()];
    local.add('u-2', a);
    local.add('u-2', b);
    local.add('u-2', closing);
    local.add('u-3', other);
    expect(local.deliver('u-2', frame)).toBe(2);
    expect(JSON.parse(a.sent[0])).toEqual(frame);
    expect(b.sent).toHaveLength(1);
    expect(closing.sent).toHaveLength(0);
    expect(other.sent).toHaveLength(0);
    expect(local.deliver('u-9', frame)).toBe(0);
  });

  it('does not count a connection removed twice', () => {
    const local = new LocalConnections<FakeSocket>();
    const a = new FakeSocket();
    local.add('u-2', a);
    local.remove('u-2', a);
    expect(local.remove('u-2', a)).toBe(false);
    expect(local.connections).toBe(0);
  });
});
