/**
 * `npm run lab`: the whole lab on this machine. The gateway and every replica as supervised
 * processes; in redis mode the configured Redis, or a private redis-server when none answers;
 * Prometheus and the Redis exporter when their binaries are on PATH. One Ctrl-C stops it all.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFromProcessEnv, LabConfig, loadLabConfig, loadLauncherConfig, privateRedisTopologyWanted, SERVICES } from '@app/config';
import { DEMO_PASSWORD } from '@app/contracts';
import { Lab } from './lab';
import { PrometheusProcess, prometheusAvailable, RedisExporterProcess, redisExporterAvailable, writePrometheusConfig, writeScrapeTargets } from './prometheus';
import { pingRedis, RedisServerProcess, redisServerAvailable } from './redis-server';
import { PLACEHOLDER_ADDRESSES, PrivateRedisTopology, startLauncherTopology } from './redis-topology';

interface Stoppable {
  stop(): Promise<void>;
}

const COLORS = [36, 32, 33, 35, 34, 91, 92, 93, 94, 95, 96];

function prefixer(): (id: string, line: string) => void {
  const colorOf = new Map<string, number>();
  return (id, line) => {
    if (!colorOf.has(id)) colorOf.set(id, COLORS[colorOf.size % COLORS.length]);
    const tag = process.stdout.isTTY ? `\x1b[${colorOf.get(id)}m${id.padEnd(10)}\x1b[0m` : id.padEnd(10);
    process.stdout.write(`${tag} ${line}\n`);
  };
}

/** The Redis the lab will use: REDIS_URL when it answers, else a private one on its port. */
async function resolveRedis(config: LabConfig, stoppables: Stoppable[]): Promise<string> {
  const url = new URL(config.redisUrl);
  const port = Number(url.port || 6379);
  const host = url.hostname || '127.0.0.1';
  if (await pingRedis(host, port, 1000)) return config.redisUrl;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (!local || !redisServerAvailable()) {
    throw new Error(
      `STATE_MODE=redis but nothing answers at ${config.redisUrl}${local ? ' and no redis-server binary is on PATH (apt-get install redis-server)' : ''}`,
    );
  }
  const server = new RedisServerProcess({ port, appendOnly: true, dir: path.resolve('.lab', 'redis') });
  mkdirSync(server.dir, { recursive: true });
  await server.start();
  stoppables.push(server);
  console.log(`started a private redis-server (AOF on) at redis://127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}

async function main(): Promise<void> {
  // REDIS_TOPOLOGY=sentinel|cluster without addresses: a private one first, then its addresses are validated like given ones.
  const wantedTopology = configFromProcessEnv(privateRedisTopologyWanted);
  // Every other variable is validated before a Redis process starts (an exit then would orphan them).
  configFromProcessEnv((env) => loadLabConfig({ ...env, ...(wantedTopology && PLACEHOLDER_ADDRESSES[wantedTopology]) }));
  let privateTopology: PrivateRedisTopology | undefined;
  try {
    privateTopology = wantedTopology && (await startLauncherTopology(wantedTopology));
  } catch (error) {
    console.error(`statelab: ${(error as Error).message}`);
    process.exit(1);
  }
  const topologyEnv = privateTopology?.env() ?? {};
  const config = configFromProcessEnv((env) => loadLabConfig({ ...env, ...topologyEnv }));
  const launcher = configFromProcessEnv(loadLauncherConfig);
  const stoppables: Stoppable[] = privateTopology ? [privateTopology] : [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping the lab…');
    for (const s of stoppables.reverse()) await s.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const singleRedis = config.stateMode === 'redis' && config.redis.topology.kind === 'single';
    const redisUrl = singleRedis ? await resolveRedis(config, stoppables) : config.redisUrl;
    const lab = await Lab.start({
      mode: config.stateMode,
      routing: config.routing,
      replicas: config.replicas,
      gatewayPort: config.gatewayPort,
      portBase: config.portBase,
      redisUrl,
      sessionTtlSeconds: config.sessionTtlSeconds,
      env: topologyEnv,
      onLine: prefixer(),
    });
    stoppables.push(lab);

    const urls: [string, string][] = [['gateway', lab.gatewayUrl], ['topology', `${lab.gatewayUrl}/lab/topology`], ['gateway metrics', `${lab.gatewayUrl}/metrics`]];
    for (const target of lab.targets().slice(1)) urls.push([`${target.instance} metrics`, `http://${target.address}/metrics`]);

    if (prometheusAvailable()) {
      const dir = mkdtempSync(path.join(tmpdir(), 'statelab-prometheus-'));
      const targetsFile = path.join(dir, 'targets.json');
      const exporter = singleRedis && redisExporterAvailable() ? new RedisExporterProcess({ redisUrl, port: launcher.redisExporterPort }) : undefined;
      const writeTargets = () =>
        writeScrapeTargets(targetsFile, [
          ...lab.targets(),
          ...(exporter ? [{ job: 'redis', instance: 'redis', address: `127.0.0.1:${launcher.redisExporterPort}` }] : []),
        ]);
      writeTargets();
      lab.onTopologyChange = writeTargets;
      if (exporter) {
        await exporter.start();
        stoppables.push(exporter);
        urls.push(['redis exporter', `${exporter.url}/metrics`]);
      }
      const prometheus = new PrometheusProcess({ port: launcher.prometheusPort, configFile: writePrometheusConfig(dir, { targetsFile }), dataDir: path.join(dir, 'data') });
      await prometheus.start();
      stoppables.push({ stop: async () => { await prometheus.stop(); rmSync(dir, { recursive: true, force: true }); } });
      urls.push(['prometheus', prometheus.url]);
    } else {
      urls.push(['prometheus', 'not on PATH (apt-get install prometheus prometheus-redis-exporter), skipped']);
    }

    const width = Math.max(...urls.map(([name]) => name.length));
    console.log(`\nstatelab is up: ${config.stateMode} mode, ${config.routing} routing, replicas ${SERVICES.map((s) => `${s}×${config.replicas[s]}`).join(' ')}`);
    for (const [name, url] of urls) console.log(`  ${name.padEnd(width)}  ${url}`);
    const login = JSON.stringify({ username: 'user1', password: DEMO_PASSWORD });
    console.log(`\nTry: curl -i -c /tmp/jar -H "content-type: application/json" -d '${login}' ${lab.gatewayUrl}/api/login`);
    console.log('Ctrl-C stops everything.\n');
  } catch (error) {
    console.error(`statelab: ${(error as Error).message}`);
    await stopAll(1);
  }
}

void main();
