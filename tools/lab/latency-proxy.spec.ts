import { createConnection, createServer, Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencyProxy } from './latency-proxy';

/** An echo server on a free port. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** Median round trip of one byte through `socket`, over `count` trips. */
async function medianRoundTripMs(socket: Socket, count: number): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const sent = performance.now();
    await new Promise<void>((resolve) => {
      socket.once('data', () => resolve());
      socket.write('x');
    });
    times.push(performance.now() - sent);
  }
  return times.sort((a, b) => a - b)[Math.floor(count / 2)];
}

describe('LatencyProxy', () => {
  let echo: { server: Server; port: number };
  let proxy: LatencyProxy;
  let client: Socket;

  beforeEach(async () => {
    echo = await echoServer();
    proxy = new LatencyProxy({ host: '127.0.0.1', port: echo.port });
    const port = await proxy.listen();
    client = createConnection({ host: '127.0.0.1', port });
    client.setNoDelay(true);
    await new Promise((resolve) => client.once('connect', resolve));
  });

  afterEach(async () => {
    client.destroy();
    await proxy.close();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  it('adds about the configured round-trip time, below a millisecond too', async () => {
    const base = await medianRoundTripMs(client, 30);
    proxy.rttMs = 5;
    const five = await medianRoundTripMs(client, 20);
    proxy.rttMs = 0.5;
    const half = await medianRoundTripMs(client, 40);
    expect(five - base).toBeGreaterThan(4.5);
    expect(five - base).toBeLessThan(9); // a loaded 2-core machine delays the echo's own turns too
    expect(half - base).toBeGreaterThan(0.4);
    expect(half - base).toBeLessThan(2);
  });

  it('keeps the order of the bytes under delay', async () => {
    proxy.rttMs = 2;
    const expected = Array.from({ length: 200 }, (_, i) => `${i};`).join('');
    const received: Buffer[] = [];
    const done = new Promise<void>((resolve) =>
      client.on('data', (chunk: Buffer) => {
        received.push(chunk);
        if (Buffer.concat(received).length >= expected.length) resolve();
      }),
    );
    for (let i = 0; i < 200; i++) client.write(`${i};`);
    await done;
    expect(Buffer.concat(received).toString()).toBe(expected);
  });

  it('refuses a negative delay', () => {
    expect(() => (proxy.rttMs = -1)).toThrow(RangeError);
  });
});
