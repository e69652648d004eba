import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import Redis from 'ioredis';
import { formatNodeList, RedisNodeAddress } from '@app/config';
import { freePort } from '../kit/ports';
import { isRunning } from '../kit/process';
import { GiveUp, waitUntil } from '../kit/wait';
import { pingRedis, RedisServerProcess } from './redis-server';

/** The replicated topologies the launcher can start privately (a single Redis is RedisServerProcess). */
export type ReplicatedTopologyKind = 'sentinel' | 'cluster';

export interface RedisTopologyOptions {
  kind: ReplicatedTopologyKind;
  /** Sentinel: the monitored master's name. Default `statelab`. */
  masterName?: string;
  /** `min-replicas-to-write` on every data node (0: off, Redis' default). */
  minReplicasToWrite?: number;
}

/** How fast the private topologies notice a dead or hung master (ms): Sentinel's down-after, Cluster's node timeout. */
export const FAILURE_DETECTION_MS = 1000;
const HOST = '127.0.0.1';
const execFileAsync = promisify(execFile);

/** A private `redis-server --sentinel` on a port of its own, configured from a file in `dir`. */
class SentinelProcess {
  private child: ChildProcess | undefined;

  constructor(
    readonly port: number,
    private readonly configFile: string,
  ) {}

  async start(timeoutMs = 10_000): Promise<void> {
    const child = spawn('redis-server', [this.configFile, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitUntil(
      `redis-sentinel on port ${this.port} to answer PING`,
      async () => {
        if (child.exitCode !== null) throw new GiveUp(`redis-sentinel exited with ${child.exitCode}: ${stderr.trim()}`);
        return pingRedis(HOST, this.port, 200);
      },
      { timeoutMs },
    );
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!isRunning(child)) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  }
}

/** One short-lived admin connection to a node: the answer of `command`, or undefined when it does not answer. */
async function ask(port: number, command: string, ...args: (string | number)[]): Promise<unknown> {
  const client = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: 500, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

/** `SENTINEL MASTER <name>`'s flat answer as a record. */
function fields(reply: unknown): Record<string, string> {
  const list = Array.isArray(reply) ? (reply as string[]) : [];
  const record: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) record[list[i]] = list[i + 1];
  return record;
}

/** A line of CLUSTER NODES. */
interface ClusterNodeLine {
  id: string;
  port: number;
  master: boolean;
  failed: boolean;
  masterId: string;
  slots: string[];
}

function parseClusterNodes(text: string): ClusterNodeLine[] {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, address, flags, masterId, , , , , ...slots] = line.split(' ');
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        master: flags.split(',').includes('master'),
        failed: /fail/.test(flags),
        masterId,
        slots,
      };
    });
}

/**
 * A private replicated Redis on free ports, for `npm run lab`, experiments and tests; never the
 * machine's shared Redis, everything in one temporary directory removed by stop():
 *
 * - `sentinel`: one master, two replicas (`--replicaof`), three Sentinels monitoring the master
 *   with quorum 2, down-after 1 s;
 * - `cluster`: six `--cluster-enabled` nodes joined by `redis-cli --cluster create
 *   --cluster-replicas 1` (three masters, one replica each), node timeout 1 s.
 *
 * start() resolves once the topology is whole: every Sentinel sees both replicas and the other
 * Sentinels, or every node reports `cluster_state:ok` with each master's replica attached.
 */
export class PrivateRedisTopology {
  private readonly sentinels: SentinelProcess[] = [];
  readonly masterName: string;

  private constructor(
    readonly kind: ReplicatedTopologyKind,
    /** Data nodes: sentinel: master first, then replicas; cluster: the six nodes as created. */
    readonly servers: RedisServerProcess[],
    private readonly dir: string,
    masterName: string,
  ) {
    this.masterName = masterName;
  }

  static async start(options: RedisTopologyOptions): Promise<PrivateRedisTopology> {
    const dir = mkdtempSync(path.join(tmpdir(), `statelab-redis-${options.kind}-`));
    const topology = new PrivateRedisTopology(options.kind, [], dir, options.masterName ?? 'statelab');
    try {
      if (options.kind === 'sentinel') await topology.startSentinel(options);
      else await topology.startCluster(options);
      return topology;
    } catch (error) {
      await topology.stop();
      throw error;
    }
  }

  /** The environment that points the lab's processes at this topology. */
  env(): Record<string, string> {
    return this.kind === 'sentinel'
      ? { REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: formatNodeList(this.sentinelAddresses()), REDIS_MASTER_NAME: this.masterName }
      : { REDIS_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: formatNodeList(this.servers.map((server) => ({ host: HOST, port: server.port }))) };
  }

  sentinelAddresses(): RedisNodeAddress[] {
    return this.sentinels.map((sentinel) => ({ host: HOST, port: sentinel.port }));
  }

  /** One line per process, for the launcher's list of addresses. */
  describe(): [string, string][] {
    if (this.kind === 'sentinel') {
      return [
        ['redis master', `redis://${HOST}:${this.servers[0].port} (initially)`],
        ...this.servers.slice(1).map((server, i): [string, string] => [`redis replica ${i + 1}`, `redis://${HOST}:${server.port}`]),
        ...this.sentinels.map((sentinel, i): [string, string] => [`redis sentinel ${i + 1}`, `${HOST}:${sentinel.port} (master name ${this.masterName})`]),
      ];
    }
    return this.servers.map((server, i): [string, string] => [`redis cluster node ${i + 1}`, `redis://${HOST}:${server.port}`]);
  }

  /** The data node on `port`. */
  server(port: number): RedisServerProcess {
    const server = this.servers.find((candidate) => candidate.port === port);
    if (!server) throw new Error(`no private Redis node on port ${port}`);
    return server;
  }

  /** Sentinel: the master as the Sentinels' majority names it now. */
  async currentMaster(): Promise<RedisServerProcess> {
    const ports = await Promise.all(this.sentinels.map((sentinel) => ask(sentinel.port, 'SENTINEL', 'GET-MASTER-ADDR-BY-NAME', this.masterName)));
    const counts = new Map<number, number>();
    for (const reply of ports) if (Array.isArray(reply)) counts.set(Number(reply[1]), (counts.get(Number(reply[1])) ?? 0) + 1);
    const [port] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0] ?? [];
    if (port === undefined) throw new Error('no Sentinel names a master');
    return this.server(port);
  }

  /** Cluster: the masters (by a node that answers), each with the slot ranges it serves and its live replicas. */
  async clusterMasters(): Promise<{ server: RedisServerProcess; slots: string[]; replicas: number }[]> {
    for (const server of this.servers.filter((candidate) => candidate.running && !candidate.paused)) {
      const text = await ask(server.port, 'CLUSTER', 'NODES');
      if (typeof text !== 'string') continue;
      const nodes = parseClusterNodes(text);
      return nodes
        .filter((node) => node.master && !node.failed && node.slots.length > 0)
        .sort((a, b) => a.port - b.port)
        .map((node) => ({
          server: this.server(node.port),
          slots: node.slots,
          replicas: nodes.filter((replica) => replica.masterId === node.id && !replica.failed).length,
        }));
    }
    throw new Error('no cluster node answers CLUSTER NODES');
  }

  /** The master a failure test should hit: sentinel: the master; cluster: the first master that has a live replica to take over. */
  async victim(): Promise<RedisServerProcess> {
    if (this.kind === 'sentinel') return this.currentMaster();
    const master = (await this.clusterMasters()).find((candidate) => candidate.replicas > 0);
    if (!master) throw new Error('no cluster master has a live replica left');
    return master.server;
  }

  /** Sentinel or cluster: the data nodes currently acting as masters. */
  async masters(): Promise<RedisServerProcess[]> {
    return this.kind === 'sentinel' ? [await this.currentMaster()] : (await this.clusterMasters()).map((master) => master.server);
  }

  /**
   * Resolves once a master other than `failed` serves (sentinel: the Sentinels switched to it and it
   * answers as master; cluster: every slot is served again, `cluster_state:ok`, by live nodes).
   */
  async waitFailover(failed: RedisServerProcess, timeoutMs = 30_000, signal?: AbortSignal): Promise<RedisServerProcess[]> {
    return waitUntil(
      `a replica of the ${this.kind} to take over from port ${failed.port}`,
      async () => {
        const masters = await this.masters();
        if (masters.includes(failed)) return undefined;
        for (const master of masters) {
          const role = await ask(master.port, 'ROLE');
          if (!Array.isArray(role) || role[0] !== 'master') return undefined;
          if (this.kind === 'cluster' && !String(await ask(master.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return undefined;
        }
        return this.kind === 'cluster' && masters.length < 3 ? undefined : masters;
      },
      { timeoutMs, intervalMs: 100, signal },
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.sentinels.map((sentinel) => sentinel.stop()));
    await Promise.all(this.servers.map((server) => server.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private nodeArgs(options: RedisTopologyOptions): string[] {
    const args = ['--repl-diskless-sync-delay', '0', '--repl-ping-replica-period', '1'];
    if (options.minReplicasToWrite) args.push('--min-replicas-to-write', String(options.minReplicasToWrite), '--min-replicas-max-lag', '10');
    return args;
  }

  private async startNode(name: string, extraArgs: string[]): Promise<RedisServerProcess> {
    const dir = path.join(this.dir, name);
    mkdirSync(dir);
    const server = new RedisServerProcess({ port: await freePort(), dir, appendOnly: false, extraArgs });
    this.servers.push(server);
    await server.start();
    return server;
  }

  private async startSentinel(options: RedisTopologyOptions): Promise<void> {
    const master = await this.startNode('master', this.nodeArgs(options));
    for (const name of ['replica-1', 'replica-2']) await this.startNode(name, [...this.nodeArgs(options), '--replicaof', HOST, String(master.port)]);
    for (let i = 1; i <= 3; i++) {
      const port = await freePort();
      const file = path.join(this.dir, `sentinel-${i}.conf`);
      writeFileSync(
        file,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${this.dir}`,
          'daemonize no',
          'loglevel warning',
          `sentinel monitor ${this.masterName} ${HOST} ${master.port} 2`,
          `sentinel down-after-milliseconds ${this.masterName} ${FAILURE_DETECTION_MS}`,
          `sentinel failover-timeout ${this.masterName} 5000`,
          `sentinel parallel-syncs ${this.masterName} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = new SentinelProcess(port, file);
      this.sentinels.push(sentinel);
      await sentinel.start();
    }
    await waitUntil(
      'every Sentinel to see both replicas and the other two Sentinels',
      async () => {
        for (const sentinel of this.sentinels) {
          const master = fields(await ask(sentinel.port, 'SENTINEL', 'MASTER', this.masterName));
          if (master['num-slaves'] !== '2' || master['num-other-sentinels'] !== '2' || master.flags !== 'master') return false;
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  private async startCluster(options: RedisTopologyOptions): Promise<void> {
    // cluster-require-full-coverage no: while one master's slots fail over, the other masters keep
    // serving theirs (Redis' default refuses every key while any slot is uncovered), so the share
    // of sessions a failover takes away is that master's, as the experiment reports it.
    const args = [
      ...this.nodeArgs(options),
      '--cluster-enabled',
      'yes',
      '--cluster-config-file',
      'nodes.conf',
      '--cluster-node-timeout',
      String(FAILURE_DETECTION_MS),
      '--cluster-require-full-coverage',
      'no',
    ];
    for (let i = 1; i <= 6; i++) await this.startNode(`node-${i}`, args);
    const addresses = this.servers.map((server) => `${HOST}:${server.port}`);
    try {
      await execFileAsync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '1', '--cluster-yes'], { timeout: 30_000 });
    } catch (error) {
      const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
      throw new Error(`redis-cli --cluster create failed: ${(stderr || stdout || (error as Error).message).trim().split('\n').slice(-3).join(' ')}`);
    }
    await waitUntil(
      'every cluster node to report cluster_state:ok with three masters, each with a replica',
      async () => {
        for (const server of this.servers) {
          if (!String(await ask(server.port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) return false;
        }
        const nodes = parseClusterNodes(String(await ask(this.servers[0].port, 'CLUSTER', 'NODES')));
        const masters = nodes.filter((node) => node.master);
        return masters.length === 3 && masters.every((master) => nodes.some((node) => node.masterId === master.id));
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
  }
}

/**
 * The launcher's hook (`npm run lab` with REDIS_TOPOLOGY=sentinel|cluster and no addresses):
 * starts a private topology, prints where each process listens, and returns it; its env() is what
 * the lab's processes then run with.
 */
export async function startLauncherTopology(kind: ReplicatedTopologyKind, log: (line: string) => void = console.log): Promise<PrivateRedisTopology> {
  log(`starting a private Redis ${kind} (${kind === 'sentinel' ? '1 master, 2 replicas, 3 Sentinels' : '3 masters, 3 replicas'}) on free ports…`);
  const topology = await PrivateRedisTopology.start({ kind });
  const lines = topology.describe();
  const width = Math.max(...lines.map(([name]) => name.length));
  for (const [name, address] of lines) log(`  ${name.padEnd(width)}  ${address}`);
  for (const [name, value] of Object.entries(topology.env())) log(`  ${name}=${value}`);
  return topology;
}

/** Stand-ins for a private topology's addresses, to validate the rest of the environment before it starts. */
export const PLACEHOLDER_ADDRESSES: Record<ReplicatedTopologyKind, Record<string, string>> = {
  sentinel: { REDIS_SENTINELS: '127.0.0.1:1' },
  cluster: { REDIS_CLUSTER_NODES: '127.0.0.1:1' },
};
