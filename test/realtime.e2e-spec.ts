import { createSelector } from '@app/routing';
import type { ChatMessageFrame, ChatServerFrame, OrderCreatedFrame } from '@app/contracts';
import { ChatClient, delay, findReplica, httpRequest, parseMetrics, startLab, StartedLab, Topology, UpgradeRefused, waitUntil } from '../tools/kit';
import { labCall, Shopper } from './support/shopper';

const CHAT_REPLICAS = ['chat-1', 'chat-2', 'chat-3'];
const ring = createSelector('sticky-ring');

/** The chat replica the gateway routes user<n> to while every chat replica is up. */
const chatReplicaOf = (n: number) => ring.pick(CHAT_REPLICAS, `u-${n}`);

/** The first demo user numbers from `from` whose chat replicas are `replicas`, in that order. */
function usersOn(replicas: string[], from = 1): number[] {
  return replicas.map((replica) => {
    for (let n = from; n < from + 200; n++) if (chatReplicaOf(n) === replica) return (from = n + 1) - 1;
    throw new Error(`no user on ${replica}`);
  });
}

const isMessage = (id: string) => (frame: ChatServerFrame): frame is ChatMessageFrame => frame.type === 'message' && frame.id === id;
const isAck = (id: string) => (frame: ChatServerFrame) => frame.type === 'ack' && frame.id === id;

/** A logged-in demo user with an open chat connection. */
async function connectUser(url: string, n: number, options: { reconnect?: boolean } = {}): Promise<{ shopper: Shopper; chat: ChatClient }> {
  const shopper = new Shopper(url, `user${n}`);
  expect((await shopper.login()).status).toBe(200);
  const chat = new ChatClient(url, { cookie: shopper.cookie, reconnect: options.reconnect, baseDelayMs: 100, maxDelayMs: 500 });
  await chat.connect();
  return { shopper, chat };
}

async function metricsOf(url: string): Promise<ReturnType<typeof parseMetrics>> {
  return parseMetrics((await httpRequest(url, { timeoutMs: 2000 })).text);
}

function describeDelivery(mode: 'stateful' | 'redis', chatDelivery: 'at-most-once' | 'at-least-once', restartDelayMs: number, extra: (state: { lab: StartedLab; clients: ChatClient[] }, connect: (n: number, options?: { reconnect?: boolean }) => Promise<{ shopper: Shopper; chat: ChatClient }>) => void): void {
  describe(`in ${mode} mode, ${chatDelivery}`, () => {
    const state = { lab: undefined as unknown as StartedLab, clients: [] as ChatClient[] };
    beforeAll(async () => {
      // A short request timeout: an upgraded connection must outlive it.
      state.lab = await startLab({ mode, replicas: { user: 1, cart: 1, product: 1, chat: 3 }, restartDelayMs, env: { REQUEST_TIMEOUT_MS: '1000', CHAT_DELIVERY: chatDelivery } });
    }, 90_000);
    afterEach(async () => {
      await Promise.all(state.clients.splice(0).map((client) => client.close()));
    });
    afterAll(() => state.lab?.stop());

    const connect = async (n: number, options?: { reconnect?: boolean }) => {
      const user = await connectUser(state.lab.url, n, options);
      state.clients.push(user.chat);
      return user;
    };

    it('delivers a message between two users connected to different chat replicas', async () => {
      const [a, b] = usersOn(['chat-1', 'chat-2'], mode === 'stateful' ? 1 : 301);
      const alice = await connect(a);
      const bob = await connect(b);
      expect([alice.chat.servedBy, bob.chat.servedBy]).toEqual(['chat-1', 'chat-2']);
      const id = alice.chat.send(`u-${b}`, 'hello across replicas');
      await alice.chat.waitFor('the ack', isAck(id));
      const message = await bob.chat.waitFor('the message', isMessage(id));
      expect(message).toMatchObject({ from: `u-${a}`, to: `u-${b}`, text: 'hello across replicas' });
      expect(Date.now() - message.sentAt).toBeLessThan(10_000);
      expect(alice.chat.received.some(isMessage(id))).toBe(false);
    });

    it("pushes order.created to every open connection of the buyer after a checkout", async () => {
      const n = mode === 'stateful' ? 41 : 341;
      const buyer = await connect(n);
      const second = new ChatClient(state.lab.url, { cookie: buyer.shopper.cookie });
      state.clients.push(second);
      await second.connect();
      expect((await buyer.shopper.post('/api/cart/items', { productId: 'p-2', quantity: 1 })).status).toBe(201);
      const checkout = await buyer.shopper.post('/api/checkout');
      expect(checkout.status).toBe(201);
      const isOrder = (frame: ChatServerFrame): frame is OrderCreatedFrame => frame.type === 'order.created' && frame.orderId === checkout.body.orderId;
      for (const client of [buyer.chat, second]) {
        expect(await client.waitFor('order.created', isOrder)).toMatchObject({ totalCents: checkout.body.totalCents, items: 1 });
      }
    });

    extra(state, connect);
  });
}

describe('real-time chat through the gateway', () => {
  describeDelivery('stateful', 'at-most-once', 3000, (state, connect) => {
    it('refuses an upgrade without a session, or with a forged one, with 401 before upgrading', async () => {
      const refused = await new ChatClient(state.lab.url).connect().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(UpgradeRefused);
      expect(refused).toMatchObject({ status: 401 });
      expect(JSON.parse((refused as UpgradeRefused).body)).toEqual({ error: { code: 'no_session', message: expect.any(String) } });
      const forged = await new ChatClient(state.lab.url, { cookie: 'sid=s%3Aforged.forged' }).connect().catch((error: unknown) => error);
      expect(forged).toMatchObject({ status: 401 });
    });

    it('refuses an upgrade that did not come through the gateway at the chat replica itself', async () => {
      const topology = (await labCall<Topology>(state.lab.url, 'GET', '/lab/topology')).body as Topology;
      const rpcPort = Number(findReplica(topology, 'chat-1')?.address.split(':')[1]);
      const direct = await new ChatClient(`http://127.0.0.1:${rpcPort + 25}`, {}).connect().catch((error: unknown) => error);
      expect(direct).toMatchObject({ status: 401 });
    });

    it("keeps an idle connection open past the gateway's request timeout", async () => {
      const [a, b] = usersOn(['chat-2', 'chat-3'], 71);
      const alice = await connect(a);
      const bob = await connect(b);
      await delay(2500);
      expect([alice.chat.connected, bob.chat.connected]).toEqual([true, true]);
      const id = bob.chat.send(`u-${a}`, 'still there?');
      await alice.chat.waitFor('the message', isMessage(id));
      expect(alice.chat.drops + bob.chat.drops).toBe(0);
    });

    it('answers a malformed frame with an error frame and counts messages and connections', async () => {
      const [a, b] = usersOn(['chat-3', 'chat-3'], 61);
      const alice = await connect(a);
      const bob = await connect(b);
      alice.chat.sendRaw('not json');
      expect(await alice.chat.waitFor('an error frame', (f: ChatServerFrame) => f.type === 'error')).toMatchObject({ code: 'bad_frame' });
      const id = alice.chat.send(`u-${b}`, 'counted');
      await bob.chat.waitFor('the message', isMessage(id));
      const topology = (await labCall<Topology>(state.lab.url, 'GET', '/lab/topology')).body as Topology;
      const samples = await metricsOf(findReplica(topology, 'chat-3')!.metricsUrl);
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
      expect(value('lab_ws_connections', { replica: 'chat-3' })).toBe(2);
      expect(value('lab_ws_messages_total', { result: 'sent' })).toBeGreaterThanOrEqual(1);
      expect(value('lab_ws_messages_total', { result: 'delivered' })).toBeGreaterThanOrEqual(1);
      expect(value('lab_ws_messages_total', { result: 'rejected' })).toBeGreaterThanOrEqual(1);
      expect(value('lab_ws_delivery_seconds_count')).toBeGreaterThanOrEqual(1);
    });

    it("drops a crashed chat replica's clients, which reconnect to a live one; what was sent to them meanwhile is lost", async () => {
      const [a, b, c] = usersOn(['chat-1', 'chat-2', 'chat-1'], 81);
      const away = await connect(a);
      const sender = await connect(b);
      const rejoining = await connect(c, { reconnect: true });
      const crash = await labCall(state.lab.url, 'POST', '/lab/replicas/chat-1/crash');
      expect(crash.status).toBe(202);
      await waitUntil('the connections on chat-1 to drop', () => away.chat.drops === 1 && rejoining.chat.drops === 1, { timeoutMs: 5000 });

      // Sent while its recipient has no connection: acknowledged, and gone (at-most-once).
      const whileAway = sender.chat.send(`u-${a}`, 'sent while you were away');
      await sender.chat.waitFor('the ack', isAck(whileAway));

      await rejoining.chat.waitConnected();
      expect(rejoining.chat.servedBy).not.toBe('chat-1');
      expect(rejoining.chat.reconnectMs).toHaveLength(1);
      const back = new ChatClient(state.lab.url, { cookie: away.shopper.cookie });
      state.clients.push(back);
      await back.connect();
      expect(back.servedBy).not.toBe('chat-1');

      const after = sender.chat.send(`u-${a}`, 'after the reconnect');
      await back.waitFor('the message sent after the reconnect', isMessage(after));
      expect(back.received.some(isMessage(whileAway))).toBe(false);
      const toRejoined = sender.chat.send(`u-${c}`, 'to the auto-reconnected client');
      await rejoining.chat.waitFor('the message after its reconnect', isMessage(toRejoined));

      const gateway = await metricsOf(`${state.lab.url}/metrics`);
      expect(gateway.find((s) => s.name === 'lab_ws_reconnects_total')?.value).toBeGreaterThanOrEqual(1);
    });
  });

  describeDelivery('redis', 'at-least-once', 100, (state, connect) => {
    it('replays a message sent while its recipient was away once they reconnect with their cursor, once', async () => {
      const [a, b] = usersOn(['chat-1', 'chat-2'], 361);
      const sender = await connect(b);
      const { shopper } = await connect(a);
      const away = new ChatClient(state.lab.url, { cookie: shopper.cookie, resume: true });
      state.clients.push(away);
      await away.connect();
      const live = sender.chat.send(`u-${a}`, 'while connected');
      await away.waitFor('the live message', isMessage(live));
      await away.close();
      const missed = sender.chat.send(`u-${a}`, 'while you were away');
      await sender.chat.waitFor('the ack', isAck(missed));
      await away.connect();
      expect(await away.waitFor('the missed message', isMessage(missed))).toMatchObject({ text: 'while you were away', seq: expect.stringMatching(/^\d+-\d+$/) });
      expect(away.received.filter((frame) => frame.type === 'message' && frame.id === live)).toHaveLength(1);
    });
  });
});
