import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Routing, StateMode } from '@app/config';
import { num } from '../kit/format';
import { startLab } from '../kit/lab';
import { delay, waitUntil } from '../kit/wait';
import { cpuUsPerRequestByKind, labCpuSecondsByKind, ProcessKind } from './cpu';
import { CpuProfile, ProfileSummary, summarizeProfile } from './cpu-profile';
import { driveCartViews, prepareSessions } from './http';
import { Machine } from './measure';
import { formatSection } from './report';

/** The processes whose CPU profile the section records: the gateway and one replica of each stateful service. */
const PROFILED = ['gateway', 'user-1', 'cart-1'] as const;

export interface ProfileBenchOptions {
  connections: number;
  warmupSeconds: number;
  /** The run whose CPU per request is measured (no profiler attached). */
  durationSeconds: number;
  /** The run the profiler records (a separate run: the profiler costs CPU of its own). */
  profileSeconds: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

export interface ProfileRun {
  mode: StateMode;
  routing: Routing;
  throughputRps: number;
  requests: number;
  non2xx: number;
  /** µs of CPU (user + system, /proc) per response, summed over the processes of each kind. */
  cpuUsPerRequest: Record<ProcessKind, number> & { total: number };
  /** Where each profiled process spent its busy samples. */
  profiles: Partial<Record<(typeof PROFILED)[number], ProfileSummary>>;
}

export interface ProfileBenchResult {
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  profileSeconds: number;
  runs: ProfileRun[];
}

/**
 * Where a request's CPU goes: a logged-in `GET /api/cart` from `connections` distinct sessions,
 * per mode. One measured run gives the CPU each kind of process spends per response (/proc);
 * a second run records V8 CPU profiles of the gateway, user-1 and cart-1 (started and stopped by
 * signal, so boot and warm-up are not in them) and sorts their samples into categories.
 */
export async function runProfileBench(options: ProfileBenchOptions): Promise<ProfileBenchResult> {
  const progress = options.progress ?? (() => undefined);
  const runs: ProfileRun[] = [];
  const preload = path.resolve(__dirname, 'cpu-profile-preload.js');
  for (const [mode, routing] of [
    ['stateful', 'sticky-ring'],
    ['redis', 'round-robin'],
  ] as const) {
    options.signal?.throwIfAborted();
    const dir = mkdtempSync(path.join(tmpdir(), 'statelab-profile-'));
    const lab = await startLab({
      mode,
      routing,
      env: { NODE_OPTIONS: `-r ${preload}`, LAB_CPU_PROFILE_DIR: dir, LAB_CPU_PROFILE_IDS: PROFILED.join(','), OTEL_EXPORTER_OTLP_ENDPOINT: undefined },
      readyTimeoutMs: 90_000,
    });
    try {
      const cookies = await prepareSessions(lab.url, options.connections, 1);
      progress(`profile: ${mode}: ${cookies.length} sessions; warm-up ${options.warmupSeconds} s`);
      await driveCartViews(lab.url, cookies, options.warmupSeconds, options.signal);
      const before = labCpuSecondsByKind(lab.lab);
      const run = await driveCartViews(lab.url, cookies, options.durationSeconds, options.signal);
      const cpuUsPerRequest = cpuUsPerRequestByKind(before, labCpuSecondsByKind(lab.lab), run.requests);
      progress(`profile: ${mode}: ${num(run.throughputRps)} req/s; recording CPU profiles for ${options.profileSeconds} s`);
      const pids = PROFILED.map((id) => lab.lab.pidOf(id)).filter((pid): pid is number => pid !== undefined);
      for (const pid of pids) process.kill(pid, 'SIGURG');
      await driveCartViews(lab.url, cookies, options.profileSeconds, options.signal);
      for (const pid of pids) process.kill(pid, 'SIGWINCH');
      const files = PROFILED.map((id) => path.join(dir, `${id}.cpuprofile`));
      await waitUntil('the CPU profiles to be written', () => files.every(existsSync), { timeoutMs: 20_000 });
      await delay(200); // the last file may still be being written
      const profiles: ProfileRun['profiles'] = {};
      PROFILED.forEach((id, i) => (profiles[id] = summarizeProfile(JSON.parse(readFileSync(files[i], 'utf8')) as CpuProfile)));
      runs.push({
        mode,
        routing,
        throughputRps: run.throughputRps,
        requests: run.requests,
        non2xx: run.non2xx,
        cpuUsPerRequest,
        profiles,
      });
    } finally {
      await lab.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return { connections: options.connections, warmupSeconds: options.warmupSeconds, durationSeconds: options.durationSeconds, profileSeconds: options.profileSeconds, runs };
}

const TOP = 8;

export function formatProfileBench(result: ProfileBenchResult, machine: Machine): string {
  const percent = (share: number | undefined) => (share === undefined ? '' : `${(share * 100).toFixed(1)} %`);
  const tables = [
    {
      caption: 'CPU per request, by process kind (µs, summed over the processes of that kind)',
      headers: ['mode', 'routing', 'req/s', 'gateway', 'user ×3', 'cart ×3', 'product ×3', 'total', 'non-2xx'],
      rows: result.runs.map((run) => [
        run.mode,
        run.routing,
        num(run.throughputRps),
        run.cpuUsPerRequest.gateway,
        run.cpuUsPerRequest.user,
        run.cpuUsPerRequest.cart,
        run.cpuUsPerRequest.product,
        run.cpuUsPerRequest.total,
        run.non2xx,
      ]),
    },
    ...result.runs.flatMap((run) =>
      PROFILED.map((id) => {
        const summary = run.profiles[id];
        return {
          caption: `${run.mode}: where ${id}'s CPU goes (${summary?.busySamples ?? 0} busy samples)`,
          headers: ['category', 'share'],
          rows: (summary?.categories ?? []).slice(0, TOP).map((entry) => [entry.category, percent(entry.share)]),
        };
      }),
    ),
  ];
  return formatSection(
    {
      title: 'profile: where a request\u2019s CPU goes, per process',
      measured: [
        `logged-in GET /api/cart from ${result.connections} connections, one session and a one-line cart each; ${result.warmupSeconds} s warm-up, ${result.durationSeconds} s measured (CPU from /proc, no profiler), then ${result.profileSeconds} s with the V8 profiler on gateway, user-1 and cart-1`,
        'a fresh native lab per mode (3+3+3 replicas, metrics on, tracing off); load generator, lab and Redis share the machine',
      ],
      tables,
      notes: [
        'socket I/O (syscalls): the native writes and reads of sockets; on loopback a write also runs the receiving side of TCP, so it is the largest single cost of a hop',
        'the profiler itself costs CPU while it records, which is why the CPU per request comes from the run before it',
      ],
    },
    machine,
  );
}
