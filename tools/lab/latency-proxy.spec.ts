import { createConnection, createServer, Server, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { LatencyProxy } from './latency-proxy';

/** An echo server on a free port. */
async function echoServer(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => socket.on('data', (chunk) => socket.write(chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port };
}

/** One round trip of one byte through `socket`, in ms. */
async function roundTripMs(socket: Socket): Promise<number> {
  const sent = performance.now();
  await new Promise<void>((resolve) => {
    socket.once('data', () => resolve());
    socket.write('x');
  });
  return performance.now() - sent;
}

/** The q-quantile (0 … 1) of `values`. */
function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
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
    // The three settings take turns trip by trip, so a busy spell of the machine falls on all of
    // them alike; a delay only ever adds, so the fastest trips and the lower quartile tell it best.
    const trips: Record<'0' | '0.5' | '5', number[]> = { '0': [], '0.5': [], '5': [] };
    for (let i = 0; i < 30; i++) {
      for (const rtt of ['0', '0.5', '5'] as const) {
        proxy.rttMs = Number(rtt);
        trips[rtt].push(await roundTripMs(client));
      }
    }
    const added = (rtt: '0.5' | '5', q: number) => quantile(trips[rtt], q) - quantile(trips['0'], q);
    // No trip through the proxy is shorter than its delay: each direction is held rttMs / 2.
    expect(quantile(trips['5'], 0)).toBeGreaterThanOrEqual(5);
    expect(quantile(trips['0.5'], 0)).toBeGreaterThanOrEqual(0.5);
    // Against the undelayed trips the added time can look shorter than the delay: while the proxy
    // busy-waits the last stretch it is already on a core, so a loaded machine's wake-up latency,
    // which the undelayed trips pay, hides inside the wait.
    expect(added('5', 0)).toBeGreaterThan(4);
    expect(added('5', 0.25)).toBeLessThan(9); // a loaded 2-core machine delays the echo's own turns too
    expect(added('0.5', 0)).toBeGreaterThan(0.25);
    expect(added('0.5', 0.25)).toBeLessThan(2);
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
