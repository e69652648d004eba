import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { SrvRecord } from 'node:dns';
import { loadGatewayConfig, loadLabConfig, ServiceName } from '@app/config';
import { ScaleResult } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { GatewayModule } from '../gateway.module';
import { SRV_RESOLVER } from '../gateway.tokens';
import { ReplicaDirectory } from './replica-directory';
import { replicaIndexes, ReplicaDiscovery, SCALE_DOWN_SETTLE_MS, SrvResolver } from './replica-discovery';

const SRV_TEMPLATE = '_rpc._tcp.{service}.statelab.svc.cluster.local';
const dnsConfig = (env: Record<string, string> = {}) =>
  loadLabConfig({ REPLICA_DISCOVERY: 'dns', REPLICA_SRV_NAME: SRV_TEMPLATE, SESSION_SECRET: 's'.repeat(32), ...env });

/** SRV records as CoreDNS answers them for a StatefulSet's headless Service. */
function srv(service: ServiceName, indexes: number[]): SrvRecord[] {
  return indexes.map((index) => ({ name: `${service}-${index}.${service}.statelab.svc.cluster.local`, port: 7201, priority: 0, weight: 100 }));
}

/** A DNS whose answers the test sets per service; a name it has no answer for fails as NXDOMAIN does. */
class FakeDns implements SrvResolver {
  readonly asked: string[] = [];
  private readonly answers = new Map<string, SrvRecord[] | Error>();

  set(service: ServiceName, answer: number[] | Error): void {
    this.answers.set(SRV_TEMPLATE.replace('{service}', service), Array.isArray(answer) ? srv(service, answer) : answer);
  }

  async resolveSrv(name: string): Promise<SrvRecord[]> {
    this.asked.push(name);
    const answer = this.answers.get(name);
    if (answer === undefined) throw Object.assign(new Error(`queryNotFound ${name}`), { code: 'ENOTFOUND' });
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/** LabService.scale as far as discovery sees it: the calls, and a failure when told. */
class FakeLab {
  readonly calls: [ServiceName, number][] = [];
  failWith: Error | undefined;

  async scale(service: ServiceName, replicas: number): Promise<ScaleResult> {
    this.calls.push([service, replicas]);
    if (this.failWith) throw this.failWith;
    return { service, routing: 'round-robin', from: 3, to: replicas, knownKeys: 0, keysMoved: 0, keysMovedRatio: 0 };
  }
}

describe('replicaIndexes()', () => {
  it('reads the replica index from the first label of each target, ascending, once each', () => {
    const records = [...srv('cart', [3, 1]), ...srv('cart', [1])];
    expect(replicaIndexes('cart', records)).toEqual([1, 3]);
  });

  it('ignores targets that are not replicas of the service: other services, IP-named pods, index 0 or past 16', () => {
    const records: SrvRecord[] = [
      ...srv('user', [1]),
      { name: '10-244-0-7.cart.statelab.svc.cluster.local', port: 7201, priority: 0, weight: 100 },
      ...srv('cart', [0, 17, 2]),
    ];
    expect(replicaIndexes('cart', records)).toEqual([2]);
  });
});

describe('ReplicaDiscovery', () => {
  let dns: FakeDns;
  let lab: FakeLab;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    dns = new FakeDns();
    lab = new FakeLab();
    for (const service of ['user', 'cart', 'product', 'chat'] as const) dns.set(service, [1, 2, 3]);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  let directory: { setRouted: jest.Mock };
  beforeEach(() => (directory = { setRouted: jest.fn() }));

  const discovery = (config = dnsConfig()) => new ReplicaDiscovery(config, directory, lab, dns);

  describe('poll()', () => {
    it('asks the SRV name of each service and leaves routing alone while DNS names the configured count', async () => {
      await discovery().poll();
      expect(dns.asked.sort()).toEqual(['cart', 'chat', 'product', 'user'].map((s) => `_rpc._tcp.${s}.statelab.svc.cluster.local`));
      expect(lab.calls).toEqual([]);
    });

    it('rescales at once when DNS names more replicas (kubectl scale up)', async () => {
      dns.set('cart', [1, 2, 3, 4, 5]);
      await discovery().poll();
      expect(lab.calls).toEqual([['cart', 5]]);
    });

    it('counts up to the highest index: a replica missing below it stays routed', async () => {
      dns.set('user', [1, 3]);
      dns.set('cart', [1, 2, 4]);
      await discovery().poll();
      expect(lab.calls).toEqual([['cart', 4]]);
    });

    it('routes to fewer replicas only once DNS has named fewer for the settle time', async () => {
      const watcher = discovery();
      dns.set('cart', [1, 2]);
      await watcher.poll(0);
      await watcher.poll(SCALE_DOWN_SETTLE_MS - 1);
      expect(lab.calls).toEqual([]);
      await watcher.poll(SCALE_DOWN_SETTLE_MS);
      expect(lab.calls).toEqual([['cart', 2]]);
    });

    it('ignores a replica that leaves DNS for a moment (a pod being replaced)', async () => {
      const watcher = discovery();
      dns.set('cart', [1, 2]);
      await watcher.poll(0);
      dns.set('cart', [1, 2, 3]);
      await watcher.poll(2000);
      dns.set('cart', [1, 2]);
      await watcher.poll(SCALE_DOWN_SETTLE_MS + 1000);
      expect(lab.calls).toEqual([]);
    });

    it('keeps routing as it is when the lookup fails or names no replica, and says so once', async () => {
      const watcher = discovery();
      dns.set('cart', Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
      dns.set('user', []);
      await watcher.poll(0);
      await watcher.poll(SCALE_DOWN_SETTLE_MS * 2);
      expect(lab.calls).toEqual([]);
      expect(warn.mock.calls.map(([line]) => line)).toEqual([
        'user: _rpc._tcp.user.statelab.svc.cluster.local: no target names a user replica; routing stays at 3',
        'cart: _rpc._tcp.cart.statelab.svc.cluster.local: ETIMEOUT; routing stays at 3',
      ]);
    });

    it('tries a rescale that failed (new replicas not answering yet) again on the next poll', async () => {
      const watcher = discovery();
      dns.set('cart', [1, 2, 3, 4]);
      lab.failWith = new Error('cart-4 did not answer within 20000 ms');
      await watcher.poll(0);
      lab.failWith = undefined;
      await watcher.poll(2000);
      await watcher.poll(4000);
      expect(lab.calls).toEqual([
        ['cart', 4],
        ['cart', 4],
      ]);
    });

    it('applies changes of what DNS names only, so a POST /lab/scale holds until the next change', async () => {
      const watcher = discovery();
      dns.set('cart', [1, 2, 3, 4]);
      await watcher.poll(0);
      // A POST /lab/scale to 2 happens here; DNS still names 4 replicas.
      await watcher.poll(2000);
      await watcher.poll(20000);
      expect(lab.calls).toEqual([['cart', 4]]);
      dns.set('cart', [1, 2, 3, 4, 5]);
      await watcher.poll(22000);
      expect(lab.calls).toEqual([
        ['cart', 4],
        ['cart', 5],
      ]);
    });
  });

  describe('onApplicationBootstrap()', () => {
    it('does nothing with REPLICA_DISCOVERY=static', async () => {
      const watcher = discovery(loadLabConfig({}));
      await watcher.onApplicationBootstrap();
      await watcher.onApplicationShutdown();
      expect(dns.asked).toEqual([]);
    });

    it('routes to what DNS names before the gateway serves, as static config would (no health wait, no rescale)', async () => {
      const watcher = discovery();
      dns.set('product', [1, 2, 3, 4, 5, 6]);
      await watcher.onApplicationBootstrap();
      await watcher.onApplicationShutdown();
      expect(directory.setRouted.mock.calls).toEqual([['product', 6]]);
      expect(lab.calls).toEqual([]);
    });

    it('keeps the configured counts when DNS does not answer at boot, and rescales once it does', async () => {
      const watcher = discovery();
      dns.set('cart', Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
      await watcher.onApplicationBootstrap();
      await watcher.onApplicationShutdown();
      dns.set('cart', [1, 2, 3, 4]);
      await watcher.poll();
      expect(directory.setRouted).not.toHaveBeenCalled();
      expect(lab.calls).toEqual([['cart', 4]]);
    });
  });
});

describe('ReplicaDiscovery in the gateway module', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it('routes to the replicas DNS names from boot on, and rescales through the lab path that counts moved keys', async () => {
    const config = dnsConfig({ LAB_PORT_BASE: '1100', REPLICA_PORTS: 'per-service' });
    const telemetry = new GatewayTelemetry({ service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing }, true);
    const module = GatewayModule.register(config, loadGatewayConfig({}), 'a-hop-secret-of-at-least-32-characters', telemetry);
    const dns = new FakeDns();
    dns.set('user', [1, 2, 3]);
    dns.set('cart', [1, 2, 3]);
    dns.set('product', [1, 2, 3, 4]);
    module.providers = module.providers?.map((provider) =>
      typeof provider === 'object' && 'provide' in provider && provider.provide === SRV_RESOLVER ? { provide: SRV_RESOLVER, useValue: dns } : provider,
    );
    const app = await NestFactory.createApplicationContext(module, { logger: false });
    try {
      const discovery = app.get(ReplicaDiscovery);
      const directory = app.get(ReplicaDirectory);
      expect(directory.routedIds('cart')).toEqual(['cart-1', 'cart-2', 'cart-3']);
      expect(directory.routedIds('product')).toEqual(['product-1', 'product-2', 'product-3', 'product-4']);
      dns.set('cart', [1]);
      await discovery.poll(0);
      await discovery.poll(SCALE_DOWN_SETTLE_MS);
      expect(directory.routedIds('cart')).toEqual(['cart-1']);
      expect(directory.find('cart-1')?.address).toMatchObject({ host: '127.0.0.1', rpcPort: 1201 });
      const metrics = await telemetry.metrics.render();
      expect(metrics).toMatch(/lab_routed_replicas\{[^}]*service="cart"[^}]*\} 1/);
      expect(metrics).toMatch(/lab_rescales_total\{[^}]*service="cart"[^}]*\} 1/);
    } finally {
      await app.close();
    }
  });
});
