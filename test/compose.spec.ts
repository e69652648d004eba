import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CORE_SCHEMA, load, mergeTag } from 'js-yaml';
import Ajv from 'ajv';
import * as ts from 'typescript';
import { MALLOC_ENV, NODE_FLAGS, NODE_OPTIONS } from '../tools/lab/node-options';
import { loadLabConfig, loadReplicaIdentity, replicaAddress, SERVICES, ServiceName } from '../libs/config/src/lab-config';
import { freePortBlock } from '../tools/kit';

/**
 * docker-compose.yml read as Compose reads it, without a Docker engine: YAML with merge keys,
 * then `${VAR:-default}` interpolated with an empty caller environment.
 */
const REPO = path.resolve(__dirname, '..');
const readYaml = (file: string) => load(readFileSync(file, 'utf8'), { schema: CORE_SCHEMA.withTags(mergeTag) }) as any;
const raw = readYaml(path.join(REPO, 'docker-compose.yml'));
const services: Record<string, any> = raw.services;

function interpolate(value: string, env: Record<string, string> = {}): string {
  return value.replace(/\$\{(\w+)(?::?-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => env[name] || fallback || '');
}

function environmentOf(service: any): Record<string, string> {
  const env = service.environment ?? {};
  const entries: [string, string][] = Array.isArray(env)
    ? env.map((line: string) => {
        const at = line.indexOf('=');
        return [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(env).map(([key, value]) => [key, value === null ? '' : String(value)]);
  return Object.fromEntries(entries);
}

const interpolatedEnv = (service: any) => Object.fromEntries(Object.entries(environmentOf(service)).map(([key, value]) => [key, interpolate(value)]));

interface Mount {
  source: string;
  target: string;
  bind: boolean;
}

function mountsOf(service: any): Mount[] {
  const named = new Set(Object.keys(raw.volumes ?? {}));
  return (service.volumes ?? []).map((volume: string | { type?: string; source: string; target: string }) => {
    if (typeof volume !== 'string') return { source: volume.source, target: volume.target, bind: volume.type === 'bind' };
    const [source, target] = volume.split(':');
    return { source, target, bind: !named.has(source) };
  });
}

interface PublishedPort {
  service: string;
  hostIp: string;
  hostPort: number;
  containerPort: number;
}

function publishedPorts(): PublishedPort[] {
  return Object.entries(services).flatMap(([name, service]) =>
    (service.ports ?? []).map((port: string | { published: string | number; target: number; host_ip?: string }) => {
      if (typeof port !== 'string') return { service: name, hostIp: port.host_ip ?? '0.0.0.0', hostPort: Number(port.published), containerPort: port.target };
      const parts = interpolate(port).replace(/\/(tcp|udp)$/, '').split(':');
      const [hostIp, hostPort, containerPort] = parts.length === 3 ? parts : ['0.0.0.0', ...parts];
      return { service: name, hostIp, hostPort: Number(hostPort), containerPort: Number(containerPort) };
    }),
  );
}

/** One-shot jobs (`restart: 'no'`, e.g. `secrets`) run to completion before the services that need them. */
const isJob = (service: any) => service.restart === 'no';
const jobs = Object.entries(services).filter(([, service]) => isJob(service));
const appServices = Object.entries(services).filter(([, service]) => service.build !== undefined && !isJob(service));
const replicaServices = appServices.filter(([name]) => name !== 'gateway');

/** Prometheus `replace` relabelling, enough of it to see which labels a target ends up with. */
function relabel(labels: Record<string, string>, configs: any[] = []): Record<string, string> {
  const result = { ...labels };
  for (const config of configs) {
    expect(config.action ?? 'replace').toBe('replace');
    const value = (config.source_labels ?? []).map((label: string) => result[label] ?? '').join(config.separator ?? ';');
    const match = new RegExp(`^(?:${config.regex ?? '(.*)'})$`).exec(value);
    if (match) result[config.target_label] = (config.replacement ?? '$1').replace(/\$(\d+)/g, (_: string, n: string) => match[Number(n)] ?? '');
  }
  return result;
}

function scrapedTargets(): { job: string; instance: string; address: string }[] {
  const prometheus = services.prometheus;
  const configMount = mountsOf(prometheus).find((mount) => mount.target === '/etc/prometheus' || mount.target === '/etc/prometheus/prometheus.yml');
  expect(configMount).toBeDefined();
  const source = path.resolve(REPO, (configMount as Mount).source);
  const file = statSync(source).isDirectory() ? path.join(source, 'prometheus.yml') : source;
  const config = readYaml(file);
  return (config.scrape_configs as any[]).flatMap((job) =>
    (job.static_configs ?? []).flatMap((group: { targets: string[]; labels?: Record<string, string> }) =>
      group.targets.map((address) => {
        const labels = relabel({ job: job.job_name, __address__: address, ...group.labels }, job.relabel_configs);
        return { job: labels.job, instance: labels.instance ?? address, address };
      }),
    ),
  );
}

describe('docker-compose.yml', () => {
  it('gives every service a pinned image (never latest) or a build', () => {
    const unpinned = Object.entries(services)
      .filter(([, service]) => service.build === undefined)
      .filter(([, service]) => {
        const image: string | undefined = service.image;
        if (!image) return true;
        if (image.includes('@sha256:')) return false;
        const tag = /:([^/:]+)$/.exec(image)?.[1];
        return tag === undefined || tag === 'latest';
      })
      .map(([name, service]) => `${name}: ${service.image ?? 'no image'}`);
    expect(unpinned).toEqual([]);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['gateway', 'redis', 'redis-exporter', 'prometheus', 'grafana', 'jaeger']));
  });

  it('gives every long-running service a healthcheck, a restart policy and a memory limit', () => {
    const lacking = Object.entries(services).filter(([, service]) => !isJob(service)).flatMap(([name, service]) => {
      const problems: string[] = [];
      const test = service.healthcheck?.test;
      if (service.healthcheck?.disable || !Array.isArray(test) || test.length < 2 || test[0] === 'NONE') problems.push(`${name}: healthcheck`);
      if (!['always', 'unless-stopped', 'on-failure'].includes(service.restart)) problems.push(`${name}: restart`);
      if (!service.mem_limit && !service.deploy?.resources?.limits?.memory) problems.push(`${name}: memory limit`);
      return problems;
    });
    expect(lacking).toEqual([]);
  });

  it('bind-mounts only host paths that exist in the repository', () => {
    const missing = Object.entries(services).flatMap(([name, service]) =>
      mountsOf(service)
        .filter((mount) => mount.bind)
        .filter((mount) => !path.resolve(REPO, mount.source).startsWith(REPO + path.sep) || !existsSync(path.resolve(REPO, mount.source)))
        .map((mount) => `${name}: ${mount.source}`),
    );
    expect(missing).toEqual([]);
  });

  it('publishes host ports that do not clash, the gateway on 8080 and Grafana on 3000', () => {
    const ports = publishedPorts();
    const keys = ports.map((port) => port.hostPort);
    expect(keys.filter((port, i) => keys.indexOf(port) !== i)).toEqual([]);
    expect(ports).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ service: 'gateway', hostPort: 8080, containerPort: 8080 }),
        expect.objectContaining({ service: 'grafana', hostPort: 3000, containerPort: 3000 }),
        expect.objectContaining({ service: 'jaeger', containerPort: 16686 }),
        expect.objectContaining({ service: 'jaeger', containerPort: 4317 }),
        expect.objectContaining({ service: 'jaeger', containerPort: 4318 }),
      ]),
    );
  });

  it('only lets services wait for services that exist, and starts the gateway once every replica is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
      expect({ name, unknown: dependencies.filter((dependency: string) => !(dependency in services)) }).toEqual({ name, unknown: [] });
    }
    const gatewayWaitsFor = services.gateway.depends_on;
    for (const [name] of replicaServices) expect({ name, condition: gatewayWaitsFor[name]?.condition }).toEqual({ name, condition: 'service_healthy' });
  });

  it('makes the lab secrets once, before any app container starts, and shares them read-only', () => {
    // Jobs of a profile (redis-cluster-init) run only with it.
    expect(jobs.filter(([, service]) => !service.profiles).map(([name]) => name)).toEqual(['secrets']);
    expect(services.secrets.command).toEqual(['node', 'dist/tools/lab/lab-secrets.js', '/run/statelab']);
    expect(existsSync(path.join(REPO, 'tools/lab/lab-secrets.ts'))).toBe(true);
    for (const [name, service] of appServices) {
      expect({ name, waits: service.depends_on?.secrets?.condition }).toEqual({ name, waits: 'service_completed_successfully' });
      expect({ name, mount: mountsOf(service).find((m) => m.target === '/run/statelab') }).toEqual({ name, mount: { source: 'lab-secrets', target: '/run/statelab', bind: false } });
      expect(service.volumes).toContain('lab-secrets:/run/statelab:ro');
      expect(interpolatedEnv(service).LAB_SECRET_FILE).toBe('/run/statelab/lab-secret');
    }
    expect(interpolatedEnv(services.gateway).SESSION_SECRET_FILE).toBe('/run/statelab/session-secret');
  });
});

describe('the app containers', () => {
  it('run three replicas of each service, each with its own REPLICA_ID', () => {
    const ids = new Map<ServiceName, string[]>();
    for (const [name, service] of replicaServices) {
      const env = interpolatedEnv(service);
      const serviceName = env.SERVICE as ServiceName;
      expect(SERVICES).toContain(serviceName);
      const identity = loadReplicaIdentity(env, serviceName);
      expect(identity.id).toBe(name);
      ids.set(serviceName, [...(ids.get(serviceName) ?? []), identity.id]);
    }
    for (const service of SERVICES) expect(ids.get(service)?.sort()).toEqual([1, 2, 3].map((n) => `${service}-${n}`));
    expect(interpolatedEnv(services.gateway).SERVICE).toBe('gateway');
  });

  it('pass STATE_MODE and ROUTING through from the caller to every app container', () => {
    for (const [name, service] of appServices) {
      const env = environmentOf(service);
      expect({ name, STATE_MODE: env.STATE_MODE, ROUTING: env.ROUTING }).toEqual({ name, STATE_MODE: '${STATE_MODE:-stateful}', ROUTING: '${ROUTING:-}' });
    }
  });

  it('configure every app container validly, the gateway reaching replicas by container name', () => {
    for (const [name, service] of appServices) {
      const env = interpolatedEnv(service);
      const config = loadLabConfig(env);
      expect({ name, bindHost: config.bindHost, redisUrl: config.redisUrl, otlp: env.OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({
        name,
        bindHost: '0.0.0.0',
        redisUrl: 'redis://redis:6379',
        otlp: 'http://jaeger:4318',
      });
    }
    const gatewayEnv = interpolatedEnv(services.gateway);
    const gateway = loadLabConfig(gatewayEnv);
    expect(gateway.gatewayPort).toBe(8080);
    expect(gatewayEnv.SESSION_SECRET_FILE).toBe('/run/statelab/session-secret');
    expect(SERVICES.map((service) => replicaAddress(gateway, service, 2).host)).toEqual(['user-2', 'cart-2', 'product-2', 'chat-2']);
    for (const service of SERVICES) expect(gateway.replicas[service]).toBe(replicaServices.filter(([, s]) => interpolatedEnv(s).SERVICE === service).length);
  });

  it('pick up a different STATE_MODE and ROUTING from the caller', () => {
    const env = Object.fromEntries(Object.entries(environmentOf(services['cart-1'])).map(([key, value]) => [key, interpolate(value, { STATE_MODE: 'redis', ROUTING: 'sticky-modulo' })]));
    expect(loadLabConfig(env)).toMatchObject({ stateMode: 'redis', routing: 'sticky-modulo' });
  });

  describe('replica healthcheck', () => {
    let dir: string;

    beforeAll(() => {
      // The healthcheck runs in the image's /app against the compiled config library.
      dir = mkdtempSync(path.join(tmpdir(), 'statelab-healthcheck-'));
      const out = path.join(dir, 'dist', 'libs', 'config', 'src');
      mkdirSync(out, { recursive: true });
      for (const file of ['env', 'secrets', 'lab-config', 'redis-config']) {
        const source = readFileSync(path.join(REPO, 'libs', 'config', 'src', `${file}.ts`), 'utf8');
        const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
        writeFileSync(path.join(out, `${file}.js`), outputText);
      }
    });

    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    function runHealthcheck(service: any, env: Record<string, string>): Promise<number> {
      const test: string[] = service.healthcheck.test;
      expect(test[0]).toBe('CMD');
      const [command, ...args] = test.slice(1);
      return new Promise((resolve) => {
        execFile(command === 'node' ? process.execPath : command, args, { cwd: dir, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 10000 }, (error) =>
          resolve(error ? (typeof error.code === 'number' ? error.code : 1) : 0),
        );
      });
    }

    it("passes when the replica's own metrics port answers /healthz, and fails when nothing does", async () => {
      const portBase = await freePortBlock();
      const cart2 = services['cart-2'];
      const env = { ...interpolatedEnv(cart2), LAB_PORT_BASE: String(portBase) };
      const metricsPort = replicaAddress({ portBase, replicaHostTemplate: '127.0.0.1' }, 'cart', 2).metricsPort;

      expect(await runHealthcheck(cart2, env)).not.toBe(0);

      const requests: string[] = [];
      const server = createServer((request, response) => {
        requests.push(request.url ?? '');
        response.statusCode = request.url === '/healthz' ? 200 : 404;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(metricsPort, '127.0.0.1', resolve));
      try {
        expect((server.address() as AddressInfo).port).toBe(metricsPort);
        expect(await runHealthcheck(cart2, env)).toBe(0);
        expect(requests).toEqual(['/healthz']);
      } finally {
        await new Promise((resolve) => server.close(resolve));
      }
    });

    it('is the same for every replica', () => {
      const checks = new Set(replicaServices.map(([, service]) => JSON.stringify(service.healthcheck)));
      expect(checks.size).toBe(1);
    });
  });
});

describe('the observability containers', () => {
  it('run Prometheus with exemplar storage on', () => {
    expect(services.prometheus.command).toEqual(expect.arrayContaining(['--enable-feature=exemplar-storage', '--config.file=/etc/prometheus/prometheus.yml']));
  });

  it('scrape every app container and the Redis exporter, with job = service and instance = replica id, every 2 s', () => {
    const targets = scrapedTargets();
    const expected = [
      { job: 'gateway', instance: 'gateway', address: `gateway:${interpolatedEnv(services.gateway).GATEWAY_PORT}` },
      ...replicaServices.map(([name, service]) => {
        const env = interpolatedEnv(service);
        const serviceName = env.SERVICE as ServiceName;
        const { index } = loadReplicaIdentity(env, serviceName);
        const { metricsPort } = replicaAddress(loadLabConfig(env), serviceName, index);
        return { job: serviceName, instance: name, address: `${name}:${metricsPort}` };
      }),
      { job: 'redis', instance: 'redis', address: 'redis-exporter:9121' },
    ];
    expect(targets.sort((a, b) => a.address.localeCompare(b.address))).toEqual(expected.sort((a, b) => a.address.localeCompare(b.address)));
    const config = readYaml(path.join(REPO, 'prometheus', 'prometheus.yml'));
    expect(config.global.scrape_interval).toBe('2s');
  });

  const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  const itWithPromtool = promtool.error === undefined && promtool.status === 0 ? it : it.skip;
  itWithPromtool('hand Prometheus a config promtool accepts', () => {
    const result = spawnSync('promtool', ['check', 'config', path.join(REPO, 'prometheus', 'prometheus.yml')], { encoding: 'utf8' });
    expect({ status: result.status, output: result.status === 0 ? '' : result.stdout + result.stderr }).toEqual({ status: 0, output: '' });
  });

  it('mount the Grafana provisioning and dashboards, with anonymous viewers and the overview as home', () => {
    const grafana = services.grafana;
    const targets = mountsOf(grafana).map((mount) => [mount.source, mount.target]);
    expect(targets).toEqual(
      expect.arrayContaining([
        ['./grafana/provisioning', '/etc/grafana/provisioning'],
        ['./grafana/dashboards', '/var/lib/grafana/dashboards'],
      ]),
    );
    expect(environmentOf(grafana)).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: 'true',
      GF_AUTH_ANONYMOUS_ORG_ROLE: 'Viewer',
      GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: '/var/lib/grafana/dashboards/overview.json',
    });
  });

  it('keep Redis data in an append-only file', () => {
    expect(services.redis.command).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
  });
});

describe('docker-compose.yml against the Compose Specification schema', () => {
  // The schema says draft-07 under an https $schema Ajv does not know by that name; Ajv's
  // default dialect is draft-07. strictTypes off: the schema pairs keywords with union types
  // the way JSON Schema allows and Ajv's strict mode flags.
  const { $schema: _dialect, ...composeSchema } = JSON.parse(readFileSync(path.join(REPO, 'test', 'schemas', 'compose-spec.json'), 'utf8'));
  const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strictTypes: false }).compile(composeSchema);
  const interpolateAll = (value: unknown): unknown =>
    typeof value === 'string'
      ? interpolate(value)
      : Array.isArray(value)
        ? value.map(interpolateAll)
        : value && typeof value === 'object'
          ? Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, interpolateAll(inner)]))
          : value;
  const problems = (document: unknown) =>
    validate(document) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message}${error.params && 'additionalProperty' in error.params ? `: ${error.params.additionalProperty}` : ''}`);

  it('is valid as written and after interpolation with an empty environment', () => {
    expect(problems(raw)).toEqual([]);
    expect(problems(interpolateAll(raw))).toEqual([]);
  });

  it('rejects a file that breaks the specification (an unknown service key, a number where a duration goes)', () => {
    const broken = structuredClone(raw);
    broken.services.gateway.restart_policy = 'always';
    broken.services.gateway.healthcheck.interval = 5;
    expect(problems(broken)).toEqual(
      expect.arrayContaining(['/services/gateway must NOT have additional properties: restart_policy', '/services/gateway/healthcheck/interval must be string']),
    );
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(REPO, 'Dockerfile'), 'utf8');

  it('builds on node:20-bookworm-slim in stages and ships only production dependencies', () => {
    expect(dockerfile.match(/^FROM node:20-bookworm-slim AS \w+$/gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/^RUN npm ci\b/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/npm prune --omit=dev/);
  });

  it("starts the app named by SERVICE with the native launcher's node flags, the path aliases and the tracing preload", () => {
    expect(dockerfile).toContain(`exec node ${NODE_FLAGS.join(' ')} -r ./dist/tools/register-paths.js -r ./dist/libs/telemetry/src/tracing/preload.js dist/apps/\${SERVICE}/src/main.js`);
  });

  it('runs the replicas with the memory settings of the native launcher, and compose gives the gateway its own', () => {
    const env = /^ENV NODE_OPTIONS="([^"]+)" MALLOC_MMAP_THRESHOLD_=(\d+)$/m.exec(dockerfile);
    expect(env?.slice(1)).toEqual([NODE_OPTIONS.replica, MALLOC_ENV.MALLOC_MMAP_THRESHOLD_]);
    expect(environmentOf(services.gateway).NODE_OPTIONS).toBe(NODE_OPTIONS.gateway);
    for (const name of ['user-1', 'cart-2', 'product-3']) expect(environmentOf(services[name]).NODE_OPTIONS).toBeUndefined();
  });

  it("gives every app container a memory limit above its V8 heap ceiling plus Node's ~50 MB outside the heap", () => {
    const mib = (limit: string) => Number(/^(\d+)m$/.exec(limit)?.[1]);
    const apps = Object.entries(services).filter(([, service]) => service.environment?.SERVICE !== undefined);
    expect(apps).toHaveLength(1 + SERVICES.length * 3);
    const tooTight = apps
      .filter(([, service]) => {
        const heap = Number(/--max-old-space-size=(\d+)/.exec(environmentOf(service).NODE_OPTIONS ?? NODE_OPTIONS.replica)?.[1]);
        return !(mib(service.mem_limit) >= heap + 50);
      })
      .map(([name, service]) => `${name}: ${service.mem_limit}`);
    expect(tooTight).toEqual([]);
  });

  it('keeps node_modules, dist and .git out of the build context', () => {
    const ignored = readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.git']));
  });
});

describe('the Redis topology profiles', () => {
  const inProfile = (profile: string) => Object.keys(services).filter((name) => (services[name].profiles ?? []).includes(profile));
  const appEnv = (caller: Record<string, string>) =>
    Object.fromEntries(Object.entries(environmentOf(services['cart-1'])).map(([key, value]) => [key, interpolate(value, caller)]));
  const portOf = (name: string, fallback: number) => {
    const command: string[] | string = services[name].command;
    const text = Array.isArray(command) ? command.join(' ') : command;
    return Number(/(?:^|\s|\n)port (\d+)/.exec(text)?.[1] ?? fallback);
  };

  it('keeps the default `docker compose up` a single Redis: no topology service runs without its profile', () => {
    expect(loadLabConfig(appEnv({ STATE_MODE: 'redis' })).redis.topology).toEqual({ kind: 'single', url: 'redis://redis:6379' });
    for (const name of [...inProfile('sentinel'), ...inProfile('cluster')]) expect(name).toMatch(/^redis-/);
  });

  it('sentinel: two replicas of `redis` and three Sentinels watching it, which the apps are pointed at', () => {
    const config = loadLabConfig(appEnv({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'sentinel', REDIS_WAIT_REPLICAS: '1' }));
    expect(config.redis.durability.waitReplicas).toBe(1);
    const topology = config.redis.topology;
    if (topology.kind !== 'sentinel') throw new Error('expected a sentinel topology');
    const sentinels = inProfile('sentinel').filter((name) => name.startsWith('redis-sentinel-'));
    expect(topology.sentinels.map((s) => `${s.host}:${s.port}`).sort()).toEqual(sentinels.map((name) => `${name}:${portOf(name, 26379)}`).sort());
    for (const name of sentinels) {
      const command = services[name].command.join(' ');
      expect(command).toContain(`sentinel monitor ${topology.masterName} redis 6379 2`);
      expect(command).toContain('--sentinel');
    }
    const replicas = inProfile('sentinel').filter((name) => name.startsWith('redis-replica-'));
    expect(replicas).toHaveLength(2);
    for (const name of replicas) expect(services[name].command).toEqual(expect.arrayContaining(['--replicaof', 'redis', '6379', '--replica-announce-ip', name]));
  });

  it('cluster: six cluster-enabled nodes joined by a one-shot job with one replica per master, which the apps are pointed at', () => {
    const topology = loadLabConfig(appEnv({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'cluster' })).redis.topology;
    if (topology.kind !== 'cluster') throw new Error('expected a cluster topology');
    const nodes = inProfile('cluster').filter((name) => name.startsWith('redis-node-'));
    expect(nodes).toHaveLength(6);
    expect(topology.nodes.map((n) => `${n.host}:${n.port}`)).toEqual(nodes.map((name) => `${name}:6379`));
    for (const name of nodes) {
      expect(services[name].command).toEqual(expect.arrayContaining(['--cluster-enabled', 'yes', '--cluster-announce-hostname', name]));
      expect(services[name].healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    }
    const init = services['redis-cluster-init'];
    expect(init.restart).toBe('no');
    expect(init.command.join(' ')).toContain('--cluster-replicas 1');
    expect(Object.keys(init.depends_on).sort()).toEqual([...nodes].sort());
  });
});
