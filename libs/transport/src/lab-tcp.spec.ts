import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { connect } from 'node:net';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { startInMemoryTracing } from '../../telemetry/src/tracing/testing/in-memory-tracing';
import { SyncContextManager } from '../../telemetry/src/tracing/sync-context-manager';
import { firstValueFrom } from 'rxjs';
import { ErrorCodes, labError } from '@app/contracts';
import { encodeFrames, FrameDecoder } from './frames';
import { HopError } from './hop-error';
import { LabTcpClient } from './lab-tcp.client';
import { LabTcpContext, LabTcpServer } from './lab-tcp.server';

const SECRET = 'a-lab-secret-of-at-least-32-chars-0123';

@Controller()
class TestController {
  @MessagePattern('echo')
  echo(@Payload() data: unknown, @Ctx() context: LabTcpContext): { data: unknown; pattern: string } {
    return { data, pattern: context.getPattern() };
  }

  @MessagePattern('fail')
  fail(): never {
    throw labError(409, ErrorCodes.emptyCart, 'the cart is empty');
  }

  @MessagePattern('slow')
  async slow(@Payload() data: { ms: number }): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, data.ms));
    return 'late';
  }

  /** Awaits first, as a store call does: the trace parent must come from the call, not from an async context. */
  @MessagePattern('traced')
  async traced(@Ctx() call: LabTcpContext): Promise<{ parentSpanId?: string; activeAfterAwait?: string }> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    const parent = call.getTraceParent();
    return { parentSpanId: parent && trace.getSpanContext(parent)?.spanId, activeAfterAwait: trace.getSpan(context.active())?.spanContext().spanId };
  }

  @MessagePattern('nothing')
  nothing(): void {
    return undefined;
  }
}

@Module({ controllers: [TestController] })
class TestModule {}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Opens a raw socket to the server and collects the frames it sends. */
function rawConnection(port: number): Promise<{ send(...messages: unknown[]): void; frames: unknown[]; closed: Promise<void> }> {
  return new Promise((resolve) => {
    const frames: unknown[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => resolve({ send: (...m) => socket.write(encodeFrames(m.map((x) => JSON.stringify(x)))), frames, closed }));
    const decoder = new FrameDecoder((message) => frames.push(message));
    socket.on('data', (chunk) => decoder.push(chunk));
    const closed = new Promise<void>((done) => socket.on('close', () => done()));
    socket.on('error', () => undefined);
  });
}

async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the lab TCP hop (LabTcpServer + LabTcpClient)', () => {
  let app: INestMicroservice;
  let port: number;
  let client: LabTcpClient;
  const handled: Array<[string, string]> = [];
  const exemplars: Array<string | undefined> = [];

  beforeAll(async () => {
    port = await freePort();
    app = await NestFactory.createMicroservice(TestModule, {
      strategy: new LabTcpServer({ host: '127.0.0.1', port, secret: SECRET, observer: { handled: (pattern, outcome, _seconds, traceId) => (handled.push([pattern, outcome]), exemplars.push(traceId)) } }),
      logger: false,
    });
    await app.listen();
  });

  beforeEach(() => {
    client = new LabTcpClient({ host: '127.0.0.1', port, secret: SECRET });
  });

  afterEach(() => client.close());
  afterAll(() => app.close());

  describe('request()', () => {
    it("answers a call with the handler's value and the pattern it was sent to", async () => {
      await expect(client.request('echo', { sid: 'abc' }, { timeoutMs: 1000 })).resolves.toEqual({ data: { sid: 'abc' }, pattern: 'echo' });
    });

    it('answers null for a handler that returns nothing', async () => {
      await expect(client.request('nothing', {}, { timeoutMs: 1000 })).resolves.toBeNull();
    });

    it("rejects with the handler's structured error, status and code intact", async () => {
      await expect(client.request('fail', {}, { timeoutMs: 1000 })).rejects.toEqual({ status: 409, code: 'empty_cart', message: 'the cart is empty' });
    });

    it('rejects a pattern no handler serves with unknown_pattern', async () => {
      await expect(client.request('nope', {}, { timeoutMs: 1000 })).rejects.toMatchObject({ status: 501, code: 'unknown_pattern' });
    });

    it('keeps many calls in flight on one connection and matches every answer to its call', async () => {
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => client.request<{ data: number }>('echo', i, { timeoutMs: 2000 })));
      expect(answers.map((a) => a.data)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    });

    it('sends the calls of one turn of the event loop in a single write', async () => {
      await client.connect();
      const socket = client.unwrap<import('node:net').Socket>();
      const write = jest.spyOn(socket, 'write');
      await Promise.all(Array.from({ length: 20 }, (_, i) => client.request('echo', i, { timeoutMs: 2000 })));
      expect(write).toHaveBeenCalledTimes(1);
    });

    it('times out a call the replica does not answer in time, saying it was sent', async () => {
      const error = await client.request('slow', { ms: 300 }, { timeoutMs: 50 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HopError);
      expect(error).toMatchObject({ failure: 'timeout', sent: true });
    });

    it('fails at once, saying nothing was sent, when nothing listens', async () => {
      const nobody = new LabTcpClient({ host: '127.0.0.1', port: await freePort(), secret: SECRET });
      const started = Date.now();
      const error = await nobody.request('echo', {}, { timeoutMs: 2000 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'unavailable', sent: false });
      expect(Date.now() - started).toBeLessThan(500);
      nobody.close();
    });

    it('fails the calls in flight when the connection drops, saying they were sent, and reconnects for the next', async () => {
      await client.connect();
      const inFlight = client.request('slow', { ms: 500 }, { timeoutMs: 2000 }).catch((e: unknown) => e);
      await eventually(() => client.inFlight === 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      client.unwrap<import('node:net').Socket>().destroy();
      expect(await inFlight).toMatchObject({ failure: 'unavailable', sent: true });
      await expect(client.request('echo', 1, { timeoutMs: 1000 })).resolves.toEqual({ data: 1, pattern: 'echo' });
    });

    it('times every handled call for the observer, by pattern and outcome', async () => {
      handled.length = 0;
      await client.request('echo', 1, { timeoutMs: 1000 });
      await client.request('fail', 1, { timeoutMs: 1000 }).catch(() => undefined);
      expect(handled).toEqual([
        ['echo', 'ok'],
        ['fail', 'error'],
      ]);
    });
  });

  describe('with tracing on', () => {
    const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
    const CALLER_SPAN = '00f067aa0ba902b7';
    let tracing: ReturnType<typeof startInMemoryTracing>;

    beforeEach(() => {
      tracing = startInMemoryTracing({ service: 'cart', replica: 'cart-1' });
      // As in the lab's replicas: no async context (SyncContextManager).
      context.disable();
      context.setGlobalContextManager(new SyncContextManager());
    });
    afterEach(() => tracing.stop());

    it("hands the handler its call's SERVER span explicitly, after awaits too, and ends it with the answer", async () => {
      exemplars.length = 0;
      const seen = await client.request<{ parentSpanId?: string; activeAfterAwait?: string }>('traced', null, {
        timeoutMs: 1000,
        trace: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
      });
      const [span] = tracing.spans();
      expect(span).toMatchObject({ name: 'traced handle', kind: SpanKind.SERVER });
      expect(span.spanContext().traceId).toBe(TRACE_ID);
      expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
      expect(seen.parentSpanId).toBe(span.spanContext().spanId);
      expect(seen.activeAfterAwait).toBeUndefined(); // no async context: the parent is passed, not looked up
      expect(exemplars).toEqual([TRACE_ID]);
    });

    it('records a failed call on its span', async () => {
      await client.request('fail', null, { timeoutMs: 1000, trace: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` } }).catch(() => undefined);
      const [span] = tracing.spans();
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the cart is empty' });
      expect(span.attributes['error.type']).toBe(ErrorCodes.emptyCart);
    });

    it('makes no span for a call whose trace is not sampled, or that carries none', async () => {
      exemplars.length = 0;
      const seen = await client.request<{ parentSpanId?: string }>('traced', null, { timeoutMs: 1000, trace: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-00` } });
      await client.request('traced', null, { timeoutMs: 1000 });
      expect(seen.parentSpanId).toBeUndefined();
      expect(tracing.spans()).toEqual([]);
      expect(exemplars).toEqual([undefined, undefined]);
    });
  });

  describe('as a Nest ClientProxy', () => {
    it('answers send() like any transport', async () => {
      await expect(firstValueFrom(client.send('echo', { n: 1 }))).resolves.toEqual({ data: { n: 1 }, pattern: 'echo' });
    });

    it('errors send() with the structured error', async () => {
      await expect(firstValueFrom(client.send('fail', {}))).rejects.toMatchObject({ code: 'empty_cart' });
    });
  });

  describe('authentication', () => {
    it('refuses a client that does not hold the lab secret, before any handler runs', async () => {
      handled.length = 0;
      const intruder = new LabTcpClient({ host: '127.0.0.1', port, secret: 'not-the-lab-secret-but-long-enough-000' });
      await expect(intruder.request('echo', { sid: 'someone' }, { timeoutMs: 1000 })).rejects.toMatchObject({ failure: 'unavailable', sent: false });
      expect(handled).toEqual([]);
      intruder.close();
    });

    it('answers a request sent without the handshake with a fatal hop_unauthenticated and closes', async () => {
      handled.length = 0;
      const raw = await rawConnection(port);
      raw.send({ id: 1, pattern: 'echo', data: { sid: 'someone' } });
      await raw.closed;
      expect(raw.frames).toEqual([{ challenge: expect.any(String) }, { fatal: { status: 401, code: 'hop_unauthenticated', message: expect.any(String) } }]);
      expect(handled).toEqual([]);
    });

    it('closes a connection that sends garbage instead of frames', async () => {
      const raw = await rawConnection(port);
      raw.send('just a string');
      await raw.closed;
      expect(raw.frames.at(-1)).toMatchObject({ fatal: { code: 'bad_frame' } });
    });
  });
});
