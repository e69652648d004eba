import { readFileSync } from 'node:fs';
import { num } from '../kit/format';
import { DEFAULT_MIX } from '../load/shopper-flow';
import { formatMix } from '../load/options';
import { runLoad } from '../load/run-load';
import { processCpuSeconds } from './cpu';
import { Machine } from './measure';
import { formatSection } from './report';
import type { BenchLab, BenchLabName, BenchResources } from './resources';

/**
 * `npm run bench -- --only resources`: what the native lab costs in memory and CPU, per process,
 * idle and under the shopper load (Linux /proc).
 */
export interface FootprintOptions {
  labs: ('stateful' | 'redis')[];
  /** Seconds the lab sits idle after it is ready, before the idle sample. */
  idleSeconds: number;
  /** Seconds of shopper load; memory is sampled every `sampleMs` throughout. */
  loadSeconds: number;
  connections: number;
  sampleMs: number;
  signal?: AbortSignal;
  progress?: (message: string) => void;
}

/** Memory of one process in bytes: resident (RSS) and proportional (PSS: shared pages split between their users). */
export interface ProcessMemory {
  rssBytes: number;
  pssBytes: number | undefined;
}

export interface ProcessFootprint {
  /** gateway, user-1, …, redis-server */
  id: string;
  idle: ProcessMemory;
  /** Highest RSS sampled under load, and PSS at that sample. */
  loadPeak: ProcessMemory;
  /** CPU seconds (user + system) over the load. */
  loadCpuSeconds: number | undefined;
}

export interface LabFootprint {
  lab: BenchLabName;
  description: string;
  /** NODE_OPTIONS and MALLOC_* the launcher gave each process kind. */
  nodeFlags: Record<string, string[]>;
  processes: ProcessFootprint[];
  totals: { idleRssBytes: number; idlePssBytes: number | undefined; loadPeakRssBytes: number; loadPeakPssBytes: number | undefined };
  load: { durationSeconds: number; connections: number; requests: number; throughputRps: number; non2xx: number; errors: number };
}

export interface FootprintResult {
  idleSeconds: number;
  loadSeconds: number;
  connections: number;
  labs: LabFootprint[];
}

function statusField(pid: number, field: string): number | undefined {
  try {
    const line = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/${field === 'Pss' ? 'smaps_rollup' : 'status'}`, 'utf8'));
    return line ? Number(line[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** RSS and PSS of a process from /proc; undefined once it is gone. */
export function processMemory(pid: number): ProcessMemory | undefined {
  const rssBytes = statusField(pid, 'VmRSS');
  return rssBytes === undefined ? undefined : { rssBytes, pssBytes: statusField(pid, 'Pss') };
}

/**
 * The settings a process runs with: node's own flags from its command line (/proc/<pid>/cmdline,
 * up to the script; `-r` preloads left out), then NODE_OPTIONS and MALLOC_* (/proc/<pid>/environ).
 */
export function nodeFlagsOf(pid: number): string[] {
  try {
    const flags: string[] = [];
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(1);
    for (let i = 0; i < args.length && args[i].startsWith('-'); i++) {
      if (args[i] === '-r' || args[i] === '--require') i++;
      else flags.push(args[i]);
    }
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    return [...flags, ...env.filter((entry) => entry.startsWith('NODE_OPTIONS=') || entry.startsWith('MALLOC_'))];
  } catch {
    return [];
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const sum = (values: readonly (number | undefined)[]) => (values.some((v) => v === undefined) ? undefined : values.reduce((a: number, b) => a + (b as number), 0));

/** Every process of the lab (and its private redis-server when there is one), by id → pid, read afresh (a restarted replica has a new pid). */
function pidsOf(lab: BenchLab): Map<string, number> {
  const pids = new Map<string, number>();
  for (const target of lab.lab.targets()) {
    const pid = lab.lab.pidOf(target.instance);
    if (pid !== undefined) pids.set(target.instance, pid);
  }
  return pids;
}

async function measureLab(resources: BenchResources, name: 'stateful' | 'redis', options: FootprintOptions): Promise<LabFootprint> {
  const progress = options.progress ?? (() => undefined);
  const lab = await resources.lab(name);
  const redisPid = name === 'redis' ? (await resources.redisServer()).server.pid : undefined;
  const ids = () => {
    const pids = pidsOf(lab);
    if (redisPid !== undefined) pids.set('redis-server', redisPid);
    return pids;
  };
  progress(`resources: ${name}: idle for ${options.idleSeconds} s`);
  await sleep(options.idleSeconds * 1000, options.signal);
  const idle = new Map<string, ProcessMemory>();
  for (const [id, pid] of ids()) idle.set(id, processMemory(pid) ?? { rssBytes: NaN, pssBytes: undefined });

  progress(`resources: ${name}: shopper load for ${options.loadSeconds} s with ${options.connections} connections`);
  const cpuBefore = new Map([...ids()].map(([id, pid]) => [id, processCpuSeconds(pid)]));
  const peak = new Map<string, ProcessMemory>();
  let totalPeak = { rss: 0, pss: 0 as number | undefined };
  const sample = () => {
    let rss = 0;
    let pss: number | undefined = 0;
    for (const [id, pid] of ids()) {
      const memory = processMemory(pid);
      if (!memory) continue;
      rss += memory.rssBytes;
      pss = pss === undefined || memory.pssBytes === undefined ? undefined : pss + memory.pssBytes;
      if (memory.rssBytes > (peak.get(id)?.rssBytes ?? 0)) peak.set(id, memory);
    }
    if (rss > totalPeak.rss) totalPeak = { rss, pss };
  };
  const sampler = setInterval(sample, options.sampleMs);
  let result;
  try {
    result = await runLoad({ url: lab.url, connections: options.connections, durationSeconds: options.loadSeconds, mix: { ...DEFAULT_MIX }, renderProgressBar: false, signal: options.signal });
    sample();
  } finally {
    clearInterval(sampler);
  }
  const processes: ProcessFootprint[] = [...ids()].map(([id, pid]) => {
    const before = cpuBefore.get(id);
    const after = processCpuSeconds(pid);
    return {
      id,
      idle: idle.get(id) ?? { rssBytes: NaN, pssBytes: undefined },
      loadPeak: peak.get(id) ?? { rssBytes: NaN, pssBytes: undefined },
      loadCpuSeconds: before === undefined || after === undefined ? undefined : after - before,
    };
  });
  const gatewayPid = lab.lab.pidOf('gateway');
  const replicaPid = lab.lab.pidOf('user-1');
  return {
    lab: name,
    description: lab.description,
    nodeFlags: { gateway: gatewayPid ? nodeFlagsOf(gatewayPid) : [], replica: replicaPid ? nodeFlagsOf(replicaPid) : [] },
    processes,
    totals: {
      idleRssBytes: processes.reduce((total, p) => total + p.idle.rssBytes, 0),
      idlePssBytes: sum(processes.map((p) => p.idle.pssBytes)),
      loadPeakRssBytes: totalPeak.rss,
      loadPeakPssBytes: totalPeak.pss,
    },
    load: {
      durationSeconds: options.loadSeconds,
      connections: options.connections,
      requests: result.requests,
      throughputRps: result.throughputRps,
      non2xx: result.non2xx,
      errors: result.errors,
    },
  };
}

/** Measures each lab in turn (one at a time: ten processes each), stopping each before the next. */
export async function runFootprintBench(resources: BenchResources, options: FootprintOptions): Promise<FootprintResult> {
  const labs: LabFootprint[] = [];
  for (const name of options.labs) {
    options.signal?.throwIfAborted();
    labs.push(await measureLab(resources, name, options));
    await resources.stopLab(name);
  }
  return { idleSeconds: options.idleSeconds, loadSeconds: options.loadSeconds, connections: options.connections, labs };
}

const mb = (bytes: number | undefined) => (bytes === undefined || !Number.isFinite(bytes) ? '-' : num(bytes / 1e6));

export function formatFootprintBench(result: FootprintResult, machine: Machine): string {
  const tables = result.labs.map((lab) => ({
    caption: `${lab.description}: ${num(lab.load.throughputRps)} req/s under load, lab CPU ${num(((sum(lab.processes.filter((p) => p.id !== 'redis-server').map((p) => p.loadCpuSeconds)) ?? NaN) * 1000) / lab.load.requests)} ms per request, ${lab.load.non2xx} non-2xx, ${lab.load.errors} errors`,
    headers: ['process', 'idle RSS MB', 'idle PSS MB', 'load peak RSS MB', 'load peak PSS MB', 'load CPU s'],
    rows: [
      ...lab.processes.map((p) => [p.id, mb(p.idle.rssBytes), mb(p.idle.pssBytes), mb(p.loadPeak.rssBytes), mb(p.loadPeak.pssBytes), num(p.loadCpuSeconds)]),
      [
        'total (all at once)',
        mb(lab.totals.idleRssBytes),
        mb(lab.totals.idlePssBytes),
        mb(lab.totals.loadPeakRssBytes),
        mb(lab.totals.loadPeakPssBytes),
        num(sum(lab.processes.map((p) => p.loadCpuSeconds))),
      ],
    ],
  }));
  const flags = result.labs[0]?.nodeFlags;
  return formatSection(
    {
      title: 'resources: memory and CPU of the native lab, per process, idle and under load',
      measured: [
        `each lab (3+3+3 replicas, LOG_LEVEL=warn, metrics on, no tracing) idle ${result.idleSeconds} s after ready, then runLoad shopper journey (mix ${formatMix(DEFAULT_MIX)}), ${result.connections} connections for ${result.loadSeconds} s`,
        'RSS (VmRSS of /proc/<pid>/status) and PSS (smaps_rollup: pages shared between processes, e.g. the node binary, split between them) sampled every 0.5 s; the load peak total is the highest sum of one sample, not the sum of per-process peaks',
        `settings: gateway ${flags?.gateway.join(' ') || 'none'}; replicas ${flags?.replica.join(' ') || 'none'}`,
      ],
      tables,
      notes: ['redis-server is the bench\'s private one (AOF everysec), shared by the labs of one bench run'],
    },
    machine,
  );
}
