import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';
import type { Lab } from '../lab/lab';

/**
 * CPU seconds spent by processes, for "CPU per request": on a shared, busy machine wall-clock
 * throughput swings with whatever else runs, while the CPU a request costs moves much less.
 */

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    const answer = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
    ticksPerSecond = Number.isFinite(answer) && answer > 0 ? answer : 100;
  }
  return ticksPerSecond;
}

/** utime + stime of a process from /proc (Linux); undefined when it cannot be read. */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** CPU seconds of every process of the lab (gateway and replicas); undefined when any is unreadable. */
export function labCpuSeconds(lab: Lab): number | undefined {
  let total = 0;
  for (const target of lab.targets()) {
    const pid = lab.pidOf(target.instance);
    const seconds = pid === undefined ? undefined : processCpuSeconds(pid);
    if (seconds === undefined) return undefined;
    total += seconds;
  }
  return total;
}

/** The lab's process kinds whose CPU a bench splits out (the chat replicas are left out: they take no part in a cart view). */
export const PROCESS_KINDS = ['gateway', 'user', 'cart', 'product'] as const;
export type ProcessKind = (typeof PROCESS_KINDS)[number];

/** CPU seconds so far of the lab's processes, summed per kind (all replicas of a service together). */
export function labCpuSecondsByKind(lab: Lab): Record<ProcessKind, number> {
  const seconds: Record<ProcessKind, number> = { gateway: 0, user: 0, cart: 0, product: 0 };
  for (const target of lab.targets()) {
    const pid = lab.pidOf(target.instance);
    const kind = target.job as ProcessKind;
    if (pid !== undefined && kind in seconds) seconds[kind] += processCpuSeconds(pid) ?? 0;
  }
  return seconds;
}

/** µs of CPU per request of each kind, and their total, between two readings of labCpuSecondsByKind. */
export function cpuUsPerRequestByKind(
  before: Record<ProcessKind, number>,
  after: Record<ProcessKind, number>,
  requests: number,
): Record<ProcessKind, number> & { total: number } {
  const perRequest = (kind: ProcessKind) => Math.round(((after[kind] - before[kind]) * 1e6) / Math.max(1, requests));
  const cpu = Object.fromEntries(PROCESS_KINDS.map((kind) => [kind, perRequest(kind)])) as Record<ProcessKind, number>;
  return { ...cpu, total: PROCESS_KINDS.reduce((sum, kind) => sum + cpu[kind], 0) };
}

/** used_cpu_user + used_cpu_sys of the Redis server behind `client` (INFO cpu). */
export async function redisCpuSeconds(client: Redis): Promise<number | undefined> {
  try {
    const info = await client.info('cpu');
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    const seconds = field('used_cpu_user') + field('used_cpu_sys');
    return Number.isFinite(seconds) ? seconds : undefined;
  } catch {
    return undefined;
  }
}

/** Milliseconds of CPU per request between two readings; undefined when either is missing. */
export function cpuMsPerRequest(before: number | undefined, after: number | undefined, requests: number): number | undefined {
  if (before === undefined || after === undefined || requests <= 0) return undefined;
  return ((after - before) * 1000) / requests;
}
