import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { load } from 'js-yaml';
import {
  containerEnvironment,
  containerProblems,
  dashboardProblems,
  drainProblems,
  imageProblems,
  ImageRules,
  K8sObject,
  labEnvironmentProblems,
  namespaceProblems,
  portProblems,
  redisTopologyProblems,
  referenceProblems,
  renderKustomization,
  selectorProblems,
  serviceMonitorProblems,
  splitImage,
} from './support/k8s-manifests';

/**
 * deploy/k8s rendered by `kubectl kustomize` (no cluster needed; CI installs Debian's
 * kubernetes-client) and checked object by object. The second half breaks the rendered objects
 * and an overlay on purpose, so each check is seen to fail.
 */
const REPO = path.resolve(__dirname, '..');
const K8S = path.join(REPO, 'deploy/k8s');
const DASHBOARDS = path.join(REPO, 'grafana/dashboards');
const OVERLAYS = readdirSync(path.join(K8S, 'overlays')).sort();
/** Created by hand before applying (README, section Kubernetes); admin-token is optional. */
const EXTERNAL_SECRETS = { 'statelab-secrets': ['lab-secret', 'session-secret', 'admin-token'] };
/** The jobs the dashboards filter on, as the native lab's and compose's Prometheus name them. */
const JOBS = ['gateway', 'user', 'cart', 'product', 'redis'];

const compose = load(readFileSync(path.join(REPO, 'docker-compose.yml'), 'utf8')) as { services: Record<string, { image?: string; build?: unknown }> };
const IMAGE_RULES: ImageRules = {
  labRepository: 'statelab',
  labVersion: (JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string }).version,
  composeTags: new Map(
    Object.values(compose.services)
      .filter((service) => service.build === undefined && service.image)
      .map((service) => splitImage(service.image as string))
      .map(({ repository, tag }) => [repository, tag as string]),
  ),
};

const rendered = new Map<string, K8sObject[]>();
const render = (dir: string): K8sObject[] => {
  if (!rendered.has(dir)) rendered.set(dir, renderKustomization(path.join(K8S, dir)));
  return rendered.get(dir) as K8sObject[];
};
const copy = (objects: K8sObject[]): K8sObject[] => structuredClone(objects);
const find = (objects: K8sObject[], kind: string, name: string): K8sObject => {
  const found = objects.find((object) => object.kind === kind && (object.metadata.name === name || object.metadata.name.startsWith(`${name}-`)));
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
};
const container = (objects: K8sObject[], kind: string, name: string) => find(objects, kind, name).spec.template.spec.containers[0];
const labEnv = (objects: K8sObject[], name: string, pod: string) => containerEnvironment(objects, container(objects, 'StatefulSet', name), pod);

describe('deploy/k8s', () => {
  it('has an overlay per state mode', () => {
    expect(OVERLAYS).toEqual(['redis', 'stateful']);
  });

  describe.each(OVERLAYS.map((overlay) => `overlays/${overlay}`))('%s', (overlay) => {
    it('puts every object in the statelab namespace, labelled part of statelab', () => {
      expect(namespaceProblems(render(overlay))).toEqual([]);
      expect(
        render(overlay)
          .filter((object) => object.kind === 'Namespace')
          .map((object) => object.metadata.name),
      ).toEqual(['statelab']);
    });

    it('gives every container readiness and liveness probes and cpu and memory requests within limits, and no service links', () => {
      expect(containerProblems(render(overlay))).toEqual([]);
    });

    it('pins every image: the lab at package.json version, others at the exact versions compose runs', () => {
      expect(imageProblems(render(overlay), IMAGE_RULES)).toEqual([]);
    });

    it('matches every selector to its pod labels, and each StatefulSet to a headless Service', () => {
      expect(selectorProblems(render(overlay))).toEqual([]);
    });

    it('points Service, probe and scrape ports at ports the containers declare', () => {
      expect(portProblems(render(overlay))).toEqual([]);
    });

    it('pauses in preStop where a Service load-balances (kube-proxy removes endpoints concurrently with SIGTERM)', () => {
      expect(drainProblems(render(overlay))).toEqual([]);
      expect(container(render(overlay), 'Deployment', 'gateway').lifecycle.preStop).toBeDefined();
    });

    it('references only rendered ConfigMaps and the documented statelab-secrets Secret', () => {
      expect(referenceProblems(render(overlay), EXTERNAL_SECRETS)).toEqual([]);
    });

    it('carries the Grafana dashboards as ConfigMaps byte-equal to grafana/dashboards', () => {
      expect(dashboardProblems(render(overlay), DASHBOARDS)).toEqual([]);
    });

    it('boots every lab container with its environment: replica id = pod name, ports where replicaAddress() puts them, DNS discovery of each headless Service', () => {
      expect(labEnvironmentProblems(render(overlay), IMAGE_RULES.labRepository)).toEqual([]);
    });
  });

  describe('overlays/stateful', () => {
    it('runs the lab in stateful mode with no Redis', () => {
      const objects = render('overlays/stateful');
      expect(labEnv(objects, 'cart', 'cart-1').STATE_MODE).toBe('stateful');
      const redisObjects = objects.filter((object) => ['StatefulSet', 'Service'].includes(object.kind) && /redis|sentinel/.test(object.metadata.name));
      expect(redisObjects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual([]);
    });
  });

  describe('overlays/redis', () => {
    it('runs Redis as 1 master + 2 replicas watched by 3 Sentinels, and points the lab at them (LAB-SPEC §9)', () => {
      const objects = render('overlays/redis');
      expect(find(objects, 'StatefulSet', 'redis').spec.replicas).toBe(3);
      expect(find(objects, 'StatefulSet', 'sentinel').spec.replicas).toBe(3);
      const env = labEnv(objects, 'cart', 'cart-1');
      expect(env).toMatchObject({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'sentinel', REDIS_MASTER_NAME: 'statelab' });
      expect(env.REDIS_SENTINELS.split(',')).toHaveLength(3);
      expect(redisTopologyProblems(objects, env)).toEqual([]);
    });
  });

  describe('monitoring', () => {
    it('scrapes every job the dashboards filter on, with instance = the pod (= the replica id)', () => {
      expect(serviceMonitorProblems(render('monitoring'), render('overlays/redis'), JOBS)).toEqual([]);
    });
  });
});

describe('the manifest checks', () => {
  const stateful = () => copy(render('overlays/stateful'));

  it('find a container without a readiness probe or a memory limit, and a pod with service links', () => {
    const objects = stateful();
    delete container(objects, 'StatefulSet', 'cart').readinessProbe;
    delete container(objects, 'Deployment', 'gateway').resources.limits.memory;
    delete find(objects, 'StatefulSet', 'user').spec.template.spec.enableServiceLinks;
    expect(containerProblems(objects)).toEqual([
      'Deployment/gateway gateway: no memory limit',
      'StatefulSet/cart cart: no readinessProbe',
      'StatefulSet/user: enableServiceLinks is not false',
    ]);
  });

  it('find an image at latest, another version than compose, or the lab at another tag', () => {
    const objects = copy(render('overlays/redis'));
    container(objects, 'StatefulSet', 'cart').image = 'statelab:latest';
    container(objects, 'StatefulSet', 'redis').image = 'redis:7.4.0-alpine';
    container(objects, 'StatefulSet', 'sentinel').image = 'redis';
    expect(imageProblems(objects, IMAGE_RULES)).toEqual([
      `StatefulSet/cart cart: statelab:latest is not statelab:${IMAGE_RULES.labVersion} or a digest`,
      'StatefulSet/redis redis: redis:7.4.0-alpine, compose runs redis:7.2.5-alpine',
      'StatefulSet/sentinel sentinel: redis is not pinned to an exact version',
    ]);
  });

  it('find a selector that misses its pods and a Service that selects nothing', () => {
    const objects = stateful();
    find(objects, 'StatefulSet', 'product').spec.template.metadata.labels['app.kubernetes.io/name'] = 'catalog';
    expect(selectorProblems(objects)).toEqual([
      'StatefulSet/product: selector does not match its pod labels',
      'StatefulSet/product: Service/product is not headless or does not select it',
      'Service/product: selects no pods',
    ]);
  });

  it('find a Service, probe or scrape annotation on a port no container declares', () => {
    const objects = stateful();
    find(objects, 'Service', 'cart').spec.ports[0].targetPort = 'grpc';
    container(objects, 'StatefulSet', 'user').livenessProbe.httpGet.port = 7152;
    find(objects, 'Deployment', 'gateway').spec.template.metadata.annotations['prometheus.io/port'] = '9464';
    expect(portProblems(objects)).toEqual([
      'Service/cart: port rpc targets grpc, which no selected container declares',
      'Deployment/gateway: prometheus.io/port 9464 is not a container port',
      'StatefulSet/user user: livenessProbe port 7152 is not a port of the container',
    ]);
  });

  it('find a load-balanced container without a preStop pause, or with one as long as the grace period', () => {
    const objects = stateful();
    const gateway = find(objects, 'Deployment', 'gateway');
    gateway.spec.template.spec.terminationGracePeriodSeconds = 5;
    expect(drainProblems(objects)).toEqual(['Deployment/gateway gateway: preStop pause 5 s leaves nothing of the 5 s grace period']);
    delete container(objects, 'Deployment', 'gateway').lifecycle;
    expect(drainProblems(objects)).toEqual(['Deployment/gateway gateway: no preStop pause before SIGTERM']);
  });

  it('find a reference to a ConfigMap that is not rendered or to an undocumented Secret key', () => {
    const objects = stateful();
    container(objects, 'StatefulSet', 'cart').envFrom[0].configMapRef.name = 'statelab-config';
    find(objects, 'StatefulSet', 'user').spec.template.spec.volumes[0].secret.items[0].key = 'hop-secret';
    expect(referenceProblems(objects, EXTERNAL_SECRETS)).toEqual([
      'StatefulSet/cart cart: ConfigMap statelab-config is not rendered',
      'StatefulSet/user volume lab-secret: Secret statelab-secrets has no documented key hop-secret',
    ]);
  });

  it('find a dashboard ConfigMap that differs from its file by one character, or a dashboard in none', () => {
    const objects = stateful();
    const overview = find(objects, 'ConfigMap', 'statelab-dashboard-overview');
    overview.data['overview.json'] = overview.data['overview.json'].replace('"refresh": "5s"', '"refresh": "6s"');
    objects.splice(objects.indexOf(find(objects, 'ConfigMap', 'statelab-dashboard-redis')), 1);
    expect(dashboardProblems(objects, DASHBOARDS)).toEqual([
      'ConfigMap/statelab-dashboard-overview: overview.json differs from grafana/dashboards/overview.json',
      'grafana/dashboards/redis.json: in no ConfigMap',
    ]);
  });

  it('find replica ids off by one when the StatefulSet starts at ordinal 0', () => {
    const objects = stateful();
    delete find(objects, 'StatefulSet', 'cart').spec.ordinals;
    expect(labEnvironmentProblems(objects, 'statelab')).toEqual(
      expect.arrayContaining([
        'StatefulSet/cart cart (pod cart-0): invalid REPLICA_ID="cart-0": expected cart-1 … cart-16',
        'Deployment/gateway gateway (pod gateway-5d8f7b9c4-x2x7q): replica cart-3 is no pod of StatefulSet/cart (cart-0, cart-1, cart-2)',
      ]),
    );
  });

  it('find replicas listening on per-replica ports that the pod template does not declare', () => {
    const objects = stateful();
    const config = find(objects, 'ConfigMap', 'statelab-config');
    config.data.REPLICA_PORTS = 'per-replica';
    const problems = labEnvironmentProblems(objects, 'statelab');
    expect(problems).toContain('StatefulSet/cart cart (pod cart-2): rpc port is not 7202');
    expect(problems).toContain('Deployment/gateway gateway (pod gateway-5d8f7b9c4-x2x7q): cart-3 rpc port 7203, Service/cart says 7201');
  });

  it('find a secret file path that no mounted Secret key backs, and a gateway without DNS discovery', () => {
    const objects = stateful();
    const gateway = container(objects, 'Deployment', 'gateway');
    gateway.env.find((variable: any) => variable.name === 'SESSION_SECRET_FILE').value = '/var/run/secrets/statelab/session';
    gateway.env.find((variable: any) => variable.name === 'REPLICA_DISCOVERY').value = 'static';
    expect(labEnvironmentProblems(objects, 'statelab').filter((line) => line.startsWith('Deployment/gateway'))).toEqual([
      'Deployment/gateway gateway (pod gateway-5d8f7b9c4-x2x7q): invalid SESSION_SECRET_FILE="/var/run/secrets/statelab/session": expected a readable file (ENOENT)',
    ]);
    gateway.env.find((variable: any) => variable.name === 'SESSION_SECRET_FILE').value = '/var/run/secrets/statelab/session-secret';
    expect(labEnvironmentProblems(objects, 'statelab')).toEqual(['Deployment/gateway gateway (pod gateway-5d8f7b9c4-x2x7q): REPLICA_DISCOVERY is not dns']);
  });

  it('find Sentinels the lab is not pointed at, and a ServiceMonitor on a port the Service lacks', () => {
    const objects = copy(render('overlays/redis'));
    const env = { ...labEnv(objects, 'cart', 'cart-1'), REDIS_SENTINELS: 'sentinel-0.sentinel:26379,sentinel-3.sentinel:26379', REDIS_MASTER_NAME: 'mymaster' };
    expect(redisTopologyProblems(objects, env)).toEqual([
      'REDIS_SENTINELS sentinel-3.sentinel:26379: no such StatefulSet pod under its Service',
      'REDIS_MASTER_NAME mymaster: the Sentinels watch statelab',
    ]);
    const monitors = copy(render('monitoring'));
    find(monitors, 'ServiceMonitor', 'statelab-redis').spec.endpoints[0].port = 'exporter';
    expect(serviceMonitorProblems(monitors, render('overlays/stateful'), JOBS)).toEqual([
      'ServiceMonitor/statelab-redis: selects no Service',
      'job redis: no ServiceMonitor scrapes it',
    ]);
  });

  it('fail an overlay that kubectl renders with a probe removed and an unpinned image', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'statelab-k8s-'));
    try {
      writeFileSync(
        path.join(dir, 'kustomization.yaml'),
        [
          'bases:',
          `  - ${path.relative(dir, path.join(K8S, 'overlays/stateful'))}`,
          'patchesJson6902:',
          '  - target: {group: apps, version: v1, kind: StatefulSet, name: cart}',
          '    path: break.yaml',
          '',
        ].join('\n'),
      );
      writeFileSync(
        path.join(dir, 'break.yaml'),
        [
          '- op: remove',
          '  path: /spec/template/spec/containers/0/livenessProbe',
          '- op: replace',
          '  path: /spec/template/spec/containers/0/image',
          '  value: statelab:latest',
          '',
        ].join('\n'),
      );
      const objects = renderKustomization(dir);
      expect(containerProblems(objects)).toEqual(['StatefulSet/cart cart: no livenessProbe']);
      expect(imageProblems(objects, IMAGE_RULES)).toEqual([`StatefulSet/cart cart: statelab:latest is not statelab:${IMAGE_RULES.labVersion} or a digest`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
