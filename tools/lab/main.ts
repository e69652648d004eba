/**
 * `npm run lab`: the whole lab on this machine. The gateway and every replica as supervised
 * processes; in redis mode the configured Redis, or a private redis-server when none answers;
 * Prometheus, the Redis exporter and Grafana when their binaries are on PATH. One Ctrl-C stops
 * it all, one line per process. State that outlives a run (secrets, the private Redis's AOF, the
 * record of running children) lives in `.lab/` of the working directory (git-ignored).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFromProcessEnv, LabConfig, loadLabConfig, loadLauncherConfig, privateRedisTopologyWanted, SERVICES, usesRedis } from '@app/config';
import { DEMO_PASSWORD } from '@app/contracts';
import { findGrafana, GRAFANA_HINT, GrafanaProcess } from './grafana';
import { Lab } from './lab';
import { LabRun } from './lab-run';
import { ensureLabSecrets } from './lab-secrets';
import { PrometheusProcess, prometheusAvailable, RedisExporterProcess, redisExporterAvailable, writePrometheusConfig, writeScrapeTargets } from './prometheus';
import { pingRedis, RedisServerProcess, redisServerAvailable } from './redis-server';
import { PLACEHOLDER_ADDRESSES, PrivateRedisTopology, startLauncherTopology } from './redis-topology';

interface Stoppable {
  /** Said as `<name> stopped` once stop() resolved; the lab says its own processes' lines. */
  name?: string;
  stop(): Promise<void>;
}

const STATE_DIR = path.resolve('.lab');

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
async function resolveRedis(config: LabConfig, stoppables: Stoppable[], run: LabRun): Promise<string> {
  const url = new URL(config.redisUrl);
  const port = Number(url.port || 6379);
  const host = url.hostname || '127.0.0.1';
  if (await pingRedis(host, port, 1000)) return config.redisUrl;
  const local = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  if (!local || !redisServerAvailable()) {
    throw new Error(
      `STATE_MODE=${config.stateMode} but nothing answers at ${config.redisUrl}${local ? ' and no redis-server binary is on PATH (apt-get install redis-server)' : ''}`,
    );
  }
  const server = new RedisServerProcess({ port, appendOnly: true, dir: path.join(STATE_DIR, 'redis'), ownProcessGroup: true });
  mkdirSync(server.dir, { recursive: true });
  await server.start();
  run.addChild('redis-server', server.pid);
  stoppables.push({ name: 'redis', stop: () => server.stop() });
  console.log(`started a private redis-server (AOF on) at redis://127.0.0.1:${port}`);
  return `redis://127.0.0.1:${port}`;
}

/** Starts a provisioned Grafana when one is on PATH; answers its URL, or how to get one. */
async function startGrafana(port: number, prometheusUrl: string, stoppables: Stoppable[], run: LabRun): Promise<string> {
  const command = findGrafana();
  if (!command) return GRAFANA_HINT;
  const dir = mkdtempSync(path.join(tmpdir(), 'statelab-grafana-'));
  run.addDir(dir);
  const grafana = new GrafanaProcess({ command, port, prometheusUrl, dir });
  stoppables.push({ name: 'grafana', stop: async () => { await grafana.stop(); rmSync(dir, { recursive: true, force: true }); } });
  await grafana.start();
  run.addChild('grafana', grafana.pid);
  return `${grafana.url} (anonymous viewer; Overview is the home dashboard)`;
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
  const say = prefixer();
  let run: LabRun | undefined;
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    const started = performance.now();
    console.log('\nstopping the lab…');
    for (const s of stoppables.reverse()) {
      await s.stop().catch((error: Error) => say(s.name ?? 'lab', `did not stop cleanly: ${error.message}`));
      if (s.name) say(s.name, 'stopped');
    }
    run?.end();
    console.log(`lab stopped in ${((performance.now() - started) / 1000).toFixed(1)}s`);
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    run = await LabRun.begin(STATE_DIR, (reclaimed, launcherPid) => {
      const what = [...reclaimed.killed.map((child) => `stopped ${child.name} (pid ${child.pid})`), ...reclaimed.removed.map((dir) => `removed ${dir}`)];
      if (what.length > 0) console.log(`cleaned up after a lab that did not stop (launcher pid ${launcherPid}): ${what.join(', ')}`);
    });
    // One pair of secrets per lab folder, kept across runs: a restarted lab logs nobody out.
    const secrets = ensureLabSecrets(path.join(STATE_DIR, 'secrets'));
    const singleRedis = usesRedis(config.stateMode) && config.redis.topology.kind === 'single';
    const redisUrl = singleRedis ? await resolveRedis(config, stoppables, run) : config.redisUrl;
    const lab = await Lab.start({
      mode: config.stateMode,
      routing: config.routing,
      replicas: config.replicas,
      gatewayPort: config.gatewayPort,
      portBase: config.portBase,
      redisUrl,
      sessionTtlSeconds: config.sessionTtlSeconds,
      env: {
        ...topologyEnv,
        LAB_SECRET_FILE: secrets.labSecretFile,
        SESSION_SECRET_FILE: secrets.sessionSecretFile,
        // jwt mode's HS256 key, kept with the others unless the user named a key (EdDSA needs a PEM file).
        ...(process.env.JWT_SECRET || process.env.JWT_KEY_FILE || process.env.JWT_ALG === 'EdDSA' ? { JWT_SECRET: process.env.JWT_SECRET } : { JWT_KEY_FILE: secrets.jwtSecretFile }),
      },
      onLine: say,
    });
    stoppables.push(lab);

    const urls: [string, string][] = [['gateway', lab.gatewayUrl], ['topology', `${lab.gatewayUrl}/lab/topology`], ['gateway metrics', `${lab.gatewayUrl}/metrics`]];
    for (const target of lab.targets().slice(1)) urls.push([`${target.instance} metrics`, `http://${target.address}/metrics`]);

    if (prometheusAvailable()) {
      const dir = mkdtempSync(path.join(tmpdir(), 'statelab-prometheus-'));
      run.addDir(dir);
      const targetsFile = path.join(dir, 'targets.json');
      const exporter = singleRedis && redisExporterAvailable() ? new RedisExporterProcess({ redisUrl, port: launcher.redisExporterPort, ownProcessGroup: true }) : undefined;
      const writeTargets = () =>
        writeScrapeTargets(targetsFile, [
          ...lab.targets(),
          ...(exporter ? [{ job: 'redis', instance: 'redis', address: `127.0.0.1:${launcher.redisExporterPort}` }] : []),
        ]);
      writeTargets();
      lab.onTopologyChange = writeTargets;
      if (exporter) {
        await exporter.start();
        run.addChild('redis exporter', exporter.pid);
        stoppables.push({ name: 'exporter', stop: () => exporter.stop() });
        urls.push(['redis exporter', `${exporter.url}/metrics`]);
      }
      const prometheus = new PrometheusProcess({ port: launcher.prometheusPort, configFile: writePrometheusConfig(dir, { targetsFile }), dataDir: path.join(dir, 'data'), ownProcessGroup: true });
      const stopPrometheus = { name: 'prometheus', stop: async () => { await prometheus.stop(); rmSync(dir, { recursive: true, force: true }); } };
      stoppables.push(stopPrometheus);
      await prometheus.start();
      run.addChild('prometheus', prometheus.pid);
      urls.push(['prometheus', prometheus.url]);
      urls.push(['grafana', await startGrafana(launcher.grafanaPort, prometheus.url, stoppables, run)]);
    } else {
      urls.push(['prometheus', 'not on PATH (apt-get install prometheus prometheus-redis-exporter), skipped']);
      urls.push(['grafana', findGrafana() ? 'skipped: it needs the lab\'s Prometheus' : GRAFANA_HINT]);
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
