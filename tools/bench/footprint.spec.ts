import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { formatFootprintBench, FootprintResult, nodeFlagsOf, processMemory } from './footprint';
import { describeMachine } from './measure';

describe('processMemory()', () => {
  it("reads this process's RSS and PSS from /proc, PSS no larger than RSS", () => {
    const memory = processMemory(process.pid);
    expect(memory?.rssBytes).toBeGreaterThan(10e6);
    expect(memory?.rssBytes).toBeCloseTo(process.memoryUsage().rss, -7);
    expect(memory?.pssBytes).toBeGreaterThan(0);
    expect(memory?.pssBytes).toBeLessThanOrEqual(memory?.rssBytes as number);
  });

  it('answers undefined for a process that does not exist', () => {
    expect(processMemory(2 ** 22 + 1)).toBeUndefined();
  });
});

describe('nodeFlagsOf()', () => {
  it("reads node's command-line flags (not its preloads) and the NODE_OPTIONS and MALLOC_* of its environment", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'flags-'));
    writeFileSync(path.join(dir, 'preload.js'), '');
    writeFileSync(path.join(dir, 'idle.js'), 'process.send("up"); setTimeout(() => undefined, 30_000);');
    const child = spawn(process.execPath, ['--single-threaded-gc', '-r', path.join(dir, 'preload.js'), path.join(dir, 'idle.js'), '--not-a-node-flag'], {
      env: { PATH: process.env.PATH, NODE_OPTIONS: '--max-old-space-size=64', MALLOC_MMAP_THRESHOLD_: '1048576' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    try {
      await new Promise((resolve, reject) => child.once('message', resolve).once('error', reject));
      expect(nodeFlagsOf(child.pid as number)).toEqual(['--single-threaded-gc', 'NODE_OPTIONS=--max-old-space-size=64', 'MALLOC_MMAP_THRESHOLD_=1048576']);
    } finally {
      child.kill();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('formatFootprintBench()', () => {
  it('prints one row per process and the totals of one sample, in MB', () => {
    const mb = (n: number) => ({ rssBytes: n * 1e6, pssBytes: (n / 2) * 1e6 });
    const result: FootprintResult = {
      idleSeconds: 10,
      loadSeconds: 20,
      connections: 20,
      labs: [
        {
          lab: 'redis',
          description: 'redis, round-robin',
          nodeFlags: { gateway: ['NODE_OPTIONS=--max-semi-space-size=2'], replica: [] },
          processes: [
            { id: 'gateway', idle: mb(80), loadPeak: mb(90), loadCpuSeconds: 6 },
            { id: 'user-1', idle: mb(76), loadPeak: mb(94), loadCpuSeconds: 2 },
          ],
          totals: { idleRssBytes: 156e6, idlePssBytes: 78e6, loadPeakRssBytes: 180e6, loadPeakPssBytes: 90e6 },
          load: { durationSeconds: 20, connections: 20, requests: 4000, throughputRps: 200, non2xx: 0, errors: 0 },
        },
      ],
    };
    const text = formatFootprintBench(result, describeMachine());
    expect(text).toMatch(/^gateway\s+80\.0\s+40\.0\s+90\.0\s+45\.0\s+6\.00$/m);
    expect(text).toMatch(/^total \(all at once\)\s+156\s+78\.0\s+180\s+90\.0\s+8\.00$/m);
    expect(text).toContain('lab CPU 2.00 ms per request');
    expect(text).toContain('gateway NODE_OPTIONS=--max-semi-space-size=2; replicas none');
  });
});
