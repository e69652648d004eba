import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadAll } from 'js-yaml';
import { loadLabConfig, loadReplicaIdentity, replicaAddress, SERVICES, ServiceName } from '../../libs/config/src/lab-config';
import { loadGatewayConfig } from '../../libs/config/src/gateway-config';
import { loadHopSecret } from '../../libs/config/src/secrets';

/**
 * Rendered Kubernetes objects read as `kubectl apply` would take them, and the invariants
 * deploy/k8s must keep: each check returns one line per problem ("Kind/name container: what"),
 * so an empty list is a pass and a broken manifest names itself.
 */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
} & Record<string, any>;

export const NAMESPACE = 'statelab';
const PART_OF = 'app.kubernetes.io/part-of';
const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet'];
const CLUSTER_SCOPED = ['Namespace'];
/** `kubectl apply` keeps the whole object in an annotation limited to 256 KiB. */
const APPLY_ANNOTATION_LIMIT = 262144;

/** `kubectl kustomize <dir>` parsed; a missing kubectl or a failed render throws with its reason. */
export function renderKustomization(dir: string): K8sObject[] {
  const result = spawnSync('kubectl', ['kustomize', dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error("kubectl is not on PATH: install Debian's kubernetes-client package (bash .ci/run does) to render deploy/k8s");
  }
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize ${dir} failed: ${result.stderr.trim()}`);
  return (loadAll(result.stdout) as (K8sObject | null)[]).filter((object): object is K8sObject => object !== null);
}

/** The kubectl on PATH, e.g. `v1.20.2`, or undefined when there is none. */
export function kubectlVersion(): string | undefined {
  const result = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) return undefined;
  return /GitVersion:"(v[^"]+)"|Client Version: (v\S+)/.exec(result.stdout)?.slice(1).find(Boolean);
}

const nameOf = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;
const workloads = (objects: K8sObject[]) => objects.filter((object) => WORKLOAD_KINDS.includes(object.kind));
const podSpec = (workload: K8sObject): any => workload.spec.template.spec;
const containersOf = (workload: K8sObject): any[] => [...(podSpec(workload).initContainers ?? []), ...podSpec(workload).containers];
const matches = (selector: Record<string, string> | undefined, labels: Record<string, string> | undefined) =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels?.[key] === value);
const isHeadless = (service: K8sObject) => service.spec.clusterIP === 'None';

/** The workloads whose pods a Service selects. */
export function selectedWorkloads(service: K8sObject, objects: K8sObject[]): K8sObject[] {
  return workloads(objects).filter((workload) => matches(service.spec.selector, workload.spec.template.metadata.labels));
}

/** `250m` → 0.25, `1` → 1 (cores); `160Mi` → bytes. */
export function quantity(value: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(value));
  if (!match) return NaN;
  const factor: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Number(match[1]) * (match[2] ? factor[match[2]] : 1);
}

/** Every object in the namespace and labelled as part of statelab. */
export function namespaceProblems(objects: K8sObject[]): string[] {
  return objects.flatMap((object) => {
    const problems: string[] = [];
    if (!CLUSTER_SCOPED.includes(object.kind) && object.metadata.namespace !== NAMESPACE)
      problems.push(`${nameOf(object)}: namespace ${object.metadata.namespace ?? '(none)'}`);
    if (object.metadata.labels?.[PART_OF] !== 'statelab') problems.push(`${nameOf(object)}: no ${PART_OF}=statelab label`);
    return problems;
  });
}

/** Every container: readiness and liveness probes, cpu and memory requests and limits (requests ≤ limits); no service links. */
export function containerProblems(objects: K8sObject[]): string[] {
  return workloads(objects).flatMap((workload) => {
    const problems: string[] = [];
    // Service links put {SVC}_PORT=tcp://… into the environment: GATEWAY_PORT would stop the lab.
    if (podSpec(workload).enableServiceLinks !== false) problems.push(`${nameOf(workload)}: enableServiceLinks is not false`);
    for (const container of containersOf(workload)) {
      const where = `${nameOf(workload)} ${container.name}`;
      for (const probe of ['readinessProbe', 'livenessProbe']) if (!container[probe]) problems.push(`${where}: no ${probe}`);
      for (const resource of ['cpu', 'memory']) {
        const request = container.resources?.requests?.[resource];
        const limit = container.resources?.limits?.[resource];
        if (request === undefined) problems.push(`${where}: no ${resource} request`);
        if (limit === undefined) problems.push(`${where}: no ${resource} limit`);
        if (request !== undefined && limit !== undefined && !(quantity(request) <= quantity(limit)))
          problems.push(`${where}: ${resource} request ${request} above limit ${limit}`);
      }
    }
    return problems;
  });
}

export interface ImageRules {
  /** The lab's image repository (`statelab`) and the only tag allowed besides a digest: package.json's version. */
  labRepository: string;
  labVersion: string;
  /** Third-party repositories compose pins, with their tags: Kubernetes must run the same. */
  composeTags: Map<string, string>;
}

/** `redis:7.2.5-alpine` → ['redis', '7.2.5-alpine', undefined]. */
export function splitImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  const [nameAndTag, digest] = image.split('@');
  const match = /^(.*?)(?::([^/:]+))?$/.exec(nameAndTag) as RegExpExecArray;
  return { repository: match[1], tag: match[2], digest };
}

/** Images pinned: the lab's at package.json's version or a digest; others at an exact version, the one compose runs. */
export function imageProblems(objects: K8sObject[], rules: ImageRules): string[] {
  return workloads(objects).flatMap((workload) =>
    containersOf(workload).flatMap((container) => {
      const where = `${nameOf(workload)} ${container.name}`;
      const { repository, tag, digest } = splitImage(String(container.image));
      if (digest !== undefined) return /^sha256:[0-9a-f]{64}$/.test(digest) ? [] : [`${where}: malformed digest in ${container.image}`];
      if (repository === rules.labRepository)
        return tag === rules.labVersion ? [] : [`${where}: ${container.image} is not ${rules.labRepository}:${rules.labVersion} or a digest`];
      if (tag === undefined || !/^v?\d+\.\d+\.\d+([-.][\w.-]+)?$/.test(tag)) return [`${where}: ${container.image} is not pinned to an exact version`];
      const composeTag = rules.composeTags.get(repository);
      return composeTag !== undefined && composeTag !== tag ? [`${where}: ${container.image}, compose runs ${repository}:${composeTag}`] : [];
    }),
  );
}

/** Selectors match their pods' labels; every Service selects pods; a StatefulSet's serviceName is a headless Service selecting it. */
export function selectorProblems(objects: K8sObject[]): string[] {
  const services = objects.filter((object) => object.kind === 'Service');
  const problems = workloads(objects).flatMap((workload) => {
    const found: string[] = [];
    if (!matches(workload.spec.selector?.matchLabels, workload.spec.template.metadata.labels))
      found.push(`${nameOf(workload)}: selector does not match its pod labels`);
    const others = workloads(objects).filter(
      (other) => other !== workload && matches(workload.spec.selector?.matchLabels, other.spec.template.metadata.labels),
    );
    if (others.length > 0) found.push(`${nameOf(workload)}: selector also matches ${others.map(nameOf).join(', ')}`);
    if (workload.kind === 'StatefulSet') {
      const governing = services.find((service) => service.metadata.name === workload.spec.serviceName);
      if (!governing) found.push(`${nameOf(workload)}: serviceName ${workload.spec.serviceName} is no Service`);
      else if (!isHeadless(governing) || !selectedWorkloads(governing, objects).includes(workload))
        found.push(`${nameOf(workload)}: Service/${governing.metadata.name} is not headless or does not select it`);
    }
    return found;
  });
  for (const service of services) if (selectedWorkloads(service, objects).length === 0) problems.push(`${nameOf(service)}: selects no pods`);
  return problems;
}

function portIn(containers: any[], port: string | number): boolean {
  return containers.some((container) => (container.ports ?? []).some((p: any) => (typeof port === 'number' ? p.containerPort === port : p.name === port)));
}

/** Service target ports, probe ports and scrape annotations name ports the containers declare. */
export function portProblems(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  for (const service of objects.filter((object) => object.kind === 'Service')) {
    const containers = selectedWorkloads(service, objects).flatMap(containersOf);
    for (const port of service.spec.ports ?? []) {
      const target = port.targetPort ?? port.port;
      if (!portIn(containers, target))
        problems.push(`${nameOf(service)}: port ${port.name ?? port.port} targets ${target}, which no selected container declares`);
    }
  }
  for (const workload of workloads(objects)) {
    for (const container of containersOf(workload)) {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const port = container[probe]?.httpGet?.port ?? container[probe]?.tcpSocket?.port;
        if (port !== undefined && !portIn([container], port))
          problems.push(`${nameOf(workload)} ${container.name}: ${probe} port ${port} is not a port of the container`);
      }
    }
    const annotations = workload.spec.template.metadata.annotations ?? {};
    if (annotations['prometheus.io/scrape'] === 'true' && !portIn(containersOf(workload), Number(annotations['prometheus.io/port']))) {
      problems.push(`${nameOf(workload)}: prometheus.io/port ${annotations['prometheus.io/port']} is not a container port`);
    }
  }
  return problems;
}

/** Containers behind a load-balancing (non-headless) Service pause in preStop, within the grace period. */
export function drainProblems(objects: K8sObject[]): string[] {
  const balanced = new Set(
    objects.filter((object) => object.kind === 'Service' && !isHeadless(object)).flatMap((service) => selectedWorkloads(service, objects)),
  );
  return [...balanced].flatMap((workload) =>
    podSpec(workload).containers.flatMap((container: any) => {
      const where = `${nameOf(workload)} ${container.name}`;
      const command: string[] | undefined = container.lifecycle?.preStop?.exec?.command;
      const pause = command?.[0] === 'sleep' ? Number(command[1]) : container.lifecycle?.preStop?.sleep?.seconds;
      if (!(pause > 0)) return [`${where}: no preStop pause before SIGTERM`];
      const grace = podSpec(workload).terminationGracePeriodSeconds ?? 30;
      return pause < grace ? [] : [`${where}: preStop pause ${pause} s leaves nothing of the ${grace} s grace period`];
    }),
  );
}

/** Secrets the manifests reference but do not render (created by hand), with the keys they may hold. */
export type ExternalSecrets = Record<string, string[]>;

/** Every ConfigMap and Secret referenced exists (rendered, or a documented external Secret with that key). */
export function referenceProblems(objects: K8sObject[], external: ExternalSecrets): string[] {
  const rendered = (kind: string, name: string) => objects.some((object) => object.kind === kind && object.metadata.name === name);
  const problems: string[] = [];
  const secret = (where: string, name: string, key?: string) => {
    if (rendered('Secret', name)) return;
    if (!(name in external)) problems.push(`${where}: Secret ${name} is neither rendered nor documented`);
    else if (key !== undefined && !external[name].includes(key)) problems.push(`${where}: Secret ${name} has no documented key ${key}`);
  };
  const configMap = (where: string, name: string) => {
    if (!rendered('ConfigMap', name)) problems.push(`${where}: ConfigMap ${name} is not rendered`);
  };
  for (const workload of workloads(objects)) {
    for (const volume of podSpec(workload).volumes ?? []) {
      if (volume.configMap) configMap(`${nameOf(workload)} volume ${volume.name}`, volume.configMap.name);
      if (volume.secret) {
        const keys: (string | undefined)[] = volume.secret.items?.map((item: any) => item.key) ?? [undefined];
        for (const key of keys) secret(`${nameOf(workload)} volume ${volume.name}`, volume.secret.secretName, key);
      }
    }
    for (const container of containersOf(workload)) {
      const where = `${nameOf(workload)} ${container.name}`;
      for (const source of container.envFrom ?? []) {
        if (source.configMapRef) configMap(where, source.configMapRef.name);
        if (source.secretRef) secret(where, source.secretRef.name);
      }
      for (const variable of container.env ?? []) {
        if (variable.valueFrom?.configMapKeyRef) configMap(`${where} ${variable.name}`, variable.valueFrom.configMapKeyRef.name);
        if (variable.valueFrom?.secretKeyRef) secret(`${where} ${variable.name}`, variable.valueFrom.secretKeyRef.name, variable.valueFrom.secretKeyRef.key);
      }
    }
  }
  return problems;
}

/** The dashboards' ConfigMaps hold exactly the JSON files of `dashboardsDir`, byte for byte. */
export function dashboardProblems(objects: K8sObject[], dashboardsDir: string): string[] {
  const maps = objects.filter((object) => object.kind === 'ConfigMap' && object.metadata.labels?.grafana_dashboard === '1');
  const files = readdirSync(dashboardsDir).filter((file) => file.endsWith('.json'));
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const map of maps) {
    if (JSON.stringify(map).length >= APPLY_ANNOTATION_LIMIT) problems.push(`${nameOf(map)}: too large for kubectl apply's annotation`);
    for (const [key, content] of Object.entries<string>(map.data ?? {})) {
      seen.add(key);
      if (!files.includes(key)) problems.push(`${nameOf(map)}: ${key} is not a file of grafana/dashboards`);
      else if (content !== readFileSync(path.join(dashboardsDir, key), 'utf8')) problems.push(`${nameOf(map)}: ${key} differs from grafana/dashboards/${key}`);
    }
  }
  for (const file of files) if (!seen.has(file)) problems.push(`grafana/dashboards/${file}: in no ConfigMap`);
  return problems;
}

/** A pod's name: a StatefulSet's pods are `<name>-<ordinal>` from `ordinals.start`. */
export function podNames(workload: K8sObject): string[] {
  if (workload.kind !== 'StatefulSet') return [`${workload.metadata.name}-5d8f7b9c4-x2x7q`];
  const start: number = workload.spec.ordinals?.start ?? 0;
  return Array.from({ length: workload.spec.replicas ?? 1 }, (_, i) => `${workload.metadata.name}-${start + i}`);
}

/** A container's environment as the kubelet gives it to the pod `podName`: envFrom ConfigMaps, then env with $(VAR) and fieldRefs. */
export function containerEnvironment(objects: K8sObject[], container: any, podName: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = objects.find((object) => object.kind === 'ConfigMap' && object.metadata.name === source.configMapRef?.name);
    Object.assign(env, map?.data ?? {});
  }
  const fields: Record<string, string> = { 'metadata.name': podName, 'metadata.namespace': NAMESPACE };
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = String(variable.value).replace(/\$\((\w+)\)/g, (whole, name: string) => env[name] ?? whole);
    else if (variable.valueFrom?.fieldRef) env[variable.name] = fields[variable.valueFrom.fieldRef.fieldPath];
    // secretKeyRef: left unset, as an optional key the Secret lacks would be.
  }
  return env;
}

/** Reads a `*_FILE` path the way the pod would: a file of a mounted Secret key, holding a stand-in secret. */
function mountedSecretReader(workload: K8sObject, container: any): (file: string) => string {
  return (file) => {
    for (const mount of container.volumeMounts ?? []) {
      const volume = (podSpec(workload).volumes ?? []).find((v: any) => v.name === mount.name);
      if (!volume?.secret || path.posix.dirname(file) !== mount.mountPath) continue;
      const item = (volume.secret.items ?? []).find((i: any) => i.path === path.posix.basename(file));
      if (item) return `stand-in-for-${volume.secret.secretName}-${item.key}-0123456789abcdef\n`;
    }
    throw Object.assign(new Error(`${file} is no mounted Secret key`), { code: 'ENOENT' });
  };
}

function labProblemsOf(fn: () => void, where: string): string[] {
  try {
    fn();
    return [];
  } catch (error) {
    return [`${where}: ${(error as Error).message}`];
  }
}

/**
 * Every lab container boots with its environment (the lab's own validation, secret files read
 * from the mounted Secret keys); replica ids are the pod names; ports are where replicaAddress()
 * puts them; the gateway's DNS discovery names each StatefulSet's headless Service and port,
 * and its REPLICA_HOST each pod's DNS name.
 */
export function labEnvironmentProblems(objects: K8sObject[], labRepository: string): string[] {
  const problems: string[] = [];
  const labContainers = workloads(objects).flatMap((workload) =>
    containersOf(workload)
      .filter((container) => splitImage(String(container.image)).repository === labRepository)
      .map((container) => ({ workload, container })),
  );
  const statefulSet = (name: string) => objects.find((object) => object.kind === 'StatefulSet' && object.metadata.name === name);
  const service = (name: string) => objects.find((object) => object.kind === 'Service' && object.metadata.name === name);
  const containerPort = (container: any, name: string) => (container.ports ?? []).find((p: any) => p.name === name)?.containerPort;

  for (const { workload, container } of labContainers) {
    for (const podName of podNames(workload)) {
      const where = `${nameOf(workload)} ${container.name} (pod ${podName})`;
      const env = containerEnvironment(objects, container, podName);
      const readFile = mountedSecretReader(workload, container);
      problems.push(...labProblemsOf(() => loadHopSecret(env, readFile), where));
      let config: ReturnType<typeof loadLabConfig>;
      try {
        config = loadLabConfig(env);
        if (env.SERVICE === 'gateway') loadGatewayConfig(env, readFile);
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
        continue;
      }
      const role = env.SERVICE;
      if (role === 'gateway') {
        if (containerPort(container, 'http') !== config.gatewayPort) problems.push(`${where}: GATEWAY_PORT ${config.gatewayPort} is not the http port`);
        if (config.replicaDiscovery.mode !== 'dns') {
          problems.push(`${where}: REPLICA_DISCOVERY is not dns`);
          continue;
        }
        for (const name of SERVICES) {
          const srvName = config.replicaDiscovery.srvNameTemplate.replaceAll('{service}', name);
          const srv = /^_([a-z0-9-]+)\._tcp\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local$/.exec(srvName);
          const set = statefulSet(name);
          const headless = set && service(set.spec.serviceName);
          if (!set || !headless) {
            problems.push(`${where}: no StatefulSet ${name} under a Service`);
            continue;
          }
          if (!srv || srv[2] !== headless.metadata.name || srv[3] !== NAMESPACE || !(headless.spec.ports ?? []).some((p: any) => p.name === srv[1])) {
            problems.push(`${where}: ${srvName} names no port of Service/${headless.metadata.name} in ${NAMESPACE}`);
          }
          if (headless.spec.publishNotReadyAddresses !== true) problems.push(`${where}: Service/${headless.metadata.name} hides replicas that are not ready`);
          if (config.replicas[name] !== set.spec.replicas)
            problems.push(`${where}: ${name.toUpperCase()}_REPLICAS ${config.replicas[name]} but StatefulSet/${name} has ${set.spec.replicas}`);
          const rpcPort = (headless.spec.ports ?? []).find((p: any) => p.name === 'rpc')?.port;
          // The gateway routes to replicas 1..N: each must be a pod of the set, reached by its DNS name.
          for (let index = 1; index <= config.replicas[name]; index++) {
            const address = replicaAddress(config, name, index);
            if (!podNames(set).includes(address.id))
              problems.push(`${where}: replica ${address.id} is no pod of StatefulSet/${name} (${podNames(set).join(', ')})`);
            if (address.host !== `${address.id}.${headless.metadata.name}`)
              problems.push(`${where}: REPLICA_HOST gives ${address.host} for ${address.id}.${headless.metadata.name}`);
            if (address.rpcPort !== rpcPort) problems.push(`${where}: ${address.id} rpc port ${address.rpcPort}, Service/${name} says ${rpcPort}`);
          }
        }
      } else if ((SERVICES as readonly string[]).includes(role)) {
        try {
          const identity = loadReplicaIdentity(env, role as ServiceName);
          if (identity.id !== podName) problems.push(`${where}: REPLICA_ID ${identity.id} is not the pod name`);
          const address = replicaAddress(config, role as ServiceName, identity.index);
          if (containerPort(container, 'rpc') !== address.rpcPort) problems.push(`${where}: rpc port is not ${address.rpcPort}`);
          if (containerPort(container, 'metrics') !== address.metricsPort) problems.push(`${where}: metrics port is not ${address.metricsPort}`);
        } catch (error) {
          problems.push(`${where}: ${(error as Error).message}`);
        }
      } else {
        problems.push(`${where}: SERVICE=${role} is no lab app`);
      }
    }
  }
  return problems;
}

/** Each `host:port` of REDIS_SENTINELS (and REDIS_URL's host) is a pod of a StatefulSet under its headless Service, with that port. */
export function redisTopologyProblems(objects: K8sObject[], env: Record<string, string>): string[] {
  const problems: string[] = [];
  const podAddress = (address: string, what: string) => {
    const match = /^([a-z0-9-]+)-(\d+)\.([a-z0-9-]+):(\d+)$/.exec(address);
    const set = match && objects.find((object) => object.kind === 'StatefulSet' && object.metadata.name === match[1]);
    const headless = set && objects.find((object) => object.kind === 'Service' && object.metadata.name === set.spec.serviceName);
    if (!match || !set || !headless || headless.metadata.name !== match[3] || !podNames(set).includes(`${match[1]}-${match[2]}`)) {
      problems.push(`${what} ${address}: no such StatefulSet pod under its Service`);
    } else if (!(headless.spec.ports ?? []).some((p: any) => p.port === Number(match[4]))) {
      problems.push(`${what} ${address}: Service/${headless.metadata.name} has no port ${match[4]}`);
    }
  };
  for (const sentinel of (env.REDIS_SENTINELS ?? '').split(',').filter(Boolean)) podAddress(sentinel, 'REDIS_SENTINELS');
  if (env.REDIS_URL) podAddress(new URL(env.REDIS_URL).host, 'REDIS_URL');
  const masterNames = new Set(
    workloads(objects)
      .filter((workload) => workload.metadata.labels?.['app.kubernetes.io/component'] === 'sentinel')
      .flatMap(containersOf)
      .map((container) => containerEnvironment(objects, container, 'sentinel-0').MASTER_NAME),
  );
  if (masterNames.size !== 1 || !masterNames.has(env.REDIS_MASTER_NAME))
    problems.push(`REDIS_MASTER_NAME ${env.REDIS_MASTER_NAME}: the Sentinels watch ${[...masterNames].join(', ') || 'nothing'}`);
  return problems;
}

/** ServiceMonitors select rendered Services by label, scrape ports they have, and name the job after the app. */
export function serviceMonitorProblems(monitors: K8sObject[], objects: K8sObject[], jobs: string[]): string[] {
  const problems: string[] = [];
  const services = objects.filter((object) => object.kind === 'Service');
  const scraped = new Set<string>();
  for (const monitor of monitors.filter((object) => object.kind === 'ServiceMonitor')) {
    const selected = services.filter((service) => matches(monitor.spec.selector?.matchLabels, service.metadata.labels));
    if (selected.length === 0) problems.push(`${nameOf(monitor)}: selects no Service`);
    for (const service of selected) {
      const job = service.metadata.labels?.[monitor.spec.jobLabel];
      if (job !== undefined) scraped.add(job);
      for (const endpoint of monitor.spec.endpoints) {
        if (!(service.spec.ports ?? []).some((p: any) => p.name === endpoint.port))
          problems.push(`${nameOf(monitor)}: Service/${service.metadata.name} has no port ${endpoint.port}`);
        if (!(endpoint.relabelings ?? []).some((r: any) => r.targetLabel === 'instance' && r.sourceLabels?.includes('__meta_kubernetes_pod_name'))) {
          problems.push(`${nameOf(monitor)}: instance is not the pod name`);
        }
      }
    }
  }
  for (const job of jobs) if (!scraped.has(job)) problems.push(`job ${job}: no ServiceMonitor scrapes it`);
  return problems;
}
