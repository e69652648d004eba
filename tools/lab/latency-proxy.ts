import { ChildProcess, fork } from 'node:child_process';
import { createConnection, createServer, Server, Socket } from 'node:net';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DIST } from '../kit/dist';
import { GiveUp, waitUntil } from '../kit/wait';

/**
 * Chunks of one direction of one connection, each forwarded once its due time has come, in order.
 * Node's timers have a 1 ms granularity; a 0.05 ms delay needs finer: the last stretch before a
 * chunk is due is waited with setImmediate turns (a busy wait that costs CPU only while data is
 * in flight), the rest with setTimeout.
 */
class DelayedPipe {
  private readonly queue: { due: number; chunk: Buffer }[] = [];
  private scheduled = false;

  constructor(
    private readonly to: Socket,
    private readonly oneWayMs: () => number,
  ) {}

  push(chunk: Buffer): void {
    const delayMs = this.oneWayMs();
    if (delayMs <= 0 && this.queue.length === 0) {
      this.to.write(chunk);
      return;
    }
    this.queue.push({ due: performance.now() + delayMs, chunk });
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    const wait = this.queue[0].due - performance.now();
    const run = () => {
      this.scheduled = false;
      this.flush();
    };
    // A timer fires 1-2 ms late on a busy machine: it only brings the wait to its last 2.5 ms.
    if (wait > 3) setTimeout(run, wait - 2.5);
    else setImmediate(run);
  }

  private flush(): void {
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0].due <= now) {
      const { chunk } = this.queue.shift() as { due: number; chunk: Buffer };
      if (!this.to.destroyed) this.to.write(chunk);
    }
    this.schedule();
  }
}

/**
 * A TCP proxy that adds latency: every chunk, both ways, is held `rttMs / 2` before it is
 * forwarded, so a request/response round trip through it takes `rttMs` longer. The lab puts it
 * between the replicas and Redis to emulate a Redis on another machine where the kernel has no
 * netem (`tc qdisc … netem` is the path where it has). It is a proxy, not a network: it adds its
 * own hop (a few tens of µs on loopback) even at 0 ms, which is why experiments measure 0 ms through it too.
 */
export class LatencyProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private rtt = 0;

  constructor(
    private readonly target: { host: string; port: number },
    rttMs = 0,
  ) {
    this.rttMs = rttMs;
  }

  get rttMs(): number {
    return this.rtt;
  }

  set rttMs(value: number) {
    if (!(Number.isFinite(value) && value >= 0 && value <= 10_000)) throw new RangeError(`rttMs must be within 0 … 10000, got ${value}`);
    this.rtt = value;
  }

  /** Listens on 127.0.0.1:`port` (0: any free port); resolves with the port. */
  listen(port = 0): Promise<number> {
    const server = createServer((client) => this.accept(client));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    const upstream = createConnection(this.target);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    this.sockets.add(client).add(upstream);
    const oneWay = () => this.rtt / 2;
    const toUpstream = new DelayedPipe(upstream, oneWay);
    const toClient = new DelayedPipe(client, oneWay);
    client.on('data', (chunk: Buffer) => toUpstream.push(chunk));
    upstream.on('data', (chunk: Buffer) => toClient.push(chunk));
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}

/** Messages between a LatencyProxyProcess and its child. */
export type ProxyMessage = { type: 'listening'; port: number } | { type: 'set-rtt'; rttMs: number } | { type: 'rtt-set'; rttMs: number };

/**
 * A LatencyProxy in a process of its own (latency-proxy-main.js), so its timers and busy waits
 * share no event loop with the load driver or the replicas. setRtt() changes the delay live.
 */
export class LatencyProxyProcess {
  private child: ChildProcess | undefined;
  private listeningPort = 0;
  private rtt: number;

  constructor(
    private readonly target: { host: string; port: number },
    rttMs = 0,
  ) {
    this.rtt = rttMs;
  }

  get port(): number {
    return this.listeningPort;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.listeningPort}`;
  }

  get rttMs(): number {
    return this.rtt;
  }

  async start(timeoutMs = 10_000): Promise<void> {
    // Always the compiled entry (dist/), as for the lab's own processes, also when a test runs this file from source.
    const child = fork(path.join(DIST, 'tools', 'lab', 'latency-proxy-main.js'), [this.target.host, String(this.target.port), String(this.rtt)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    this.child = child;
    child.on('message', (message: ProxyMessage) => {
      if (message.type === 'listening') this.listeningPort = message.port;
    });
    await waitUntil(
      'the latency proxy to listen',
      () => {
        if (child.exitCode !== null) throw new GiveUp(`the latency proxy exited with ${child.exitCode}`);
        return this.listeningPort > 0;
      },
      { timeoutMs, intervalMs: 20 },
    );
  }

  /** Sets the added round-trip time; resolves once the proxy applies it. */
  async setRtt(rttMs: number): Promise<void> {
    const child = this.child;
    if (!child?.connected) throw new Error('the latency proxy is not running');
    const applied = new Promise<void>((resolve) => {
      const onMessage = (message: ProxyMessage) => {
        if (message.type !== 'rtt-set') return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
    });
    child.send({ type: 'set-rtt', rttMs } satisfies ProxyMessage);
    await applied;
    this.rtt = rttMs;
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}
