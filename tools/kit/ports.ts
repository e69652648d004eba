import { createServer } from 'node:net';

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Where port blocks are drawn from: above the well-known services (all below 10000) and below
 * Linux's ephemeral range (32768-60999 by default), where the kernel picks the local port of every
 * outgoing connection; a block there can be taken by a client socket between the check and the
 * replica's listen (seen as EADDRINUSE once the lab had WebSockets and more connections).
 */
const BLOCK_RANGE = { from: 10_000, to: 32_000 } as const;

/** A base port such that base … base+size are all free: the lab's replica port block. */
export async function freePortBlock(size = 400): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = BLOCK_RANGE.from + Math.floor(Math.random() * (BLOCK_RANGE.to - size - BLOCK_RANGE.from));
    if (await rangeIsFree(base, size)) return base;
  }
  throw new Error('no free block of ports found');
}

async function rangeIsFree(base: number, size: number): Promise<boolean> {
  const checks: Promise<boolean>[] = [];
  for (let port = base; port <= base + size; port++) checks.push(isFree(port));
  return (await Promise.all(checks)).every(Boolean);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
