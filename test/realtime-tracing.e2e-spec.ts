import { createSelector } from '@app/routing';
import type { ChatServerFrame } from '@app/contracts';
import { ChatClient, Shopper, startLab, StartedLab } from '../tools/kit';
import { OtlpReceiver, ReceivedSpan, startOtlpReceiver } from './support/otlp-receiver';

const ring = createSelector('sticky-ring');
const chatReplicaOf = (n: number) => ring.pick(['chat-1', 'chat-2', 'chat-3'], `u-${n}`);

/** The first user from `from` on `replica`. */
function userOn(replica: string, from: number): number {
  for (let n = from; ; n++) if (chatReplicaOf(n) === replica) return n;
}

/** With tracing on, one chat message is one trace from the sender's replica to the recipient's. */
describe.each(['stateful', 'redis'] as const)('a chat message across replicas in %s mode, traced', (mode) => {
  let receiver: OtlpReceiver;
  let lab: StartedLab;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    lab = await startLab({
      mode,
      replicas: { user: 1, cart: 1, product: 1, chat: 3 },
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_BSP_SCHEDULE_DELAY: '200' },
    });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await lab?.stop();
    await receiver?.close();
  });

  it("is one trace: received on the sender's replica, delivered on the recipient's", async () => {
    const [a, b] = [userOn('chat-1', 501), userOn('chat-2', 501)];
    for (const n of [a, b]) {
      const shopper = new Shopper(lab.url, `user${n}`);
      expect((await shopper.login()).status).toBe(200);
      const chat = new ChatClient(lab.url, { cookie: shopper.cookie });
      clients.push(chat);
      await chat.connect();
    }
    const id = clients[0].send(`u-${b}`, 'traced');
    await clients[1].waitFor('the message', (frame: ChatServerFrame) => frame.type === 'message' && frame.id === id);

    const delivered = (spans: ReceivedSpan[]) =>
      spans.some((s) => s.name === 'chat.message receive' && s.serviceInstanceId === 'chat-1') && spans.some((s) => s.serviceInstanceId === 'chat-2' && s.kind === 'SERVER');
    const spans = await receiver.waitForTrace(delivered, 20_000);
    const roots = spans.filter((s) => !s.parentSpanId);
    expect(roots.map((s) => [s.name, s.serviceInstanceId])).toEqual([['chat.message receive', 'chat-1']]);
    const ids = new Set(spans.map((s) => s.spanId));
    for (const span of spans) if (span.parentSpanId) expect(ids.has(span.parentSpanId)).toBe(true);
    const onRecipient = spans.find((s) => s.serviceInstanceId === 'chat-2' && s.kind === 'SERVER')!;
    const parent = spans.find((s) => s.spanId === onRecipient.parentSpanId)!;
    if (mode === 'stateful') expect(parent).toMatchObject({ kind: 'CLIENT', name: 'chat.deliver send', serviceInstanceId: 'chat-1' });
    else {
      // The context rides in the published payload; the PUBLISH itself is an ioredis span beside it.
      expect(parent).toMatchObject({ name: 'chat.message receive', serviceInstanceId: 'chat-1' });
      expect(spans.filter((s) => s.scopeName?.includes('ioredis') && s.serviceInstanceId === 'chat-1').map((s) => s.name)).toContain('publish');
    }
  });
});
