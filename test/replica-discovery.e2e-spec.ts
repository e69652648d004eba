import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ChildProcess, spawn } from 'node:child_process';
import { promises as dns } from 'node:dns';
import * as path from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { LabConfig, loadLabConfig } from '../libs/config/src/lab-config';
import { loadGatewayConfig } from '../libs/config/src/gateway-config';
import { GatewayTelemetry } from '../libs/telemetry/src';
import { GatewayModule } from '../apps/gateway/src/gateway.module';
import { SRV_RESOLVER } from '../apps/gateway/src/gateway.tokens';
import { ReplicaDirectory } from '../apps/gateway/src/replicas/replica-directory';
import { SCALE_DOWN_SETTLE_MS } from '../apps/gateway/src/replicas/replica-discovery';
import { freePortBlock, stopChild, waitUntil } from '../tools/kit';
import { SrvDnsServer } from './support/dns-server';

/**
 * REPLICA_DISCOVERY=dns end to end, as far as a machine without Kubernetes allows: the
 * gateway's module with node:dns's real Resolver pointed at a DNS server that answers SRV
 * records as CoreDNS does for a StatefulSet's headless Service, and real cart replica
 * processes from dist/. A pod appearing (a process, then its SRV record) is routed to without
 * a restart; one leaving is dropped after the settle time.
 */
const dist = path.resolve(__dirname, '..', 'dist');
const SECRET = 'the-discovery-test-hop-secret-0123456789';
const DOMAIN = 'statelab.svc.cluster.local';
const srvName = (service: string) => `_rpc._tcp.${service}.${DOMAIN}`;

describe('REPLICA_DISCOVERY=dns', () => {
  let server: SrvDnsServer;
  let config: LabConfig;
  let telemetry: GatewayTelemetry;
  let app: INestApplicationContext | undefined;
  const replicas: ChildProcess[] = [];

  const startCart = (index: number) => {
    const child = spawn(process.execPath, ['-r', path.join(dist, 'tools/register-paths.js'), path.join(dist, 'apps/cart/src/main.js')], {
      env: { PATH: process.env.PATH, REPLICA_ID: `cart-${index}`, LAB_SECRET: SECRET, LAB_PORT_BASE: String(config.portBase), LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    replicas.push(child);
  };
  const answerCarts = (indexes: number[]) =>
    server.set(
      srvName('cart'),
      indexes.map((index) => ({ name: `cart-${index}.cart.${DOMAIN}`, port: 7201 })),
    );

  beforeAll(async () => {
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    server = await SrvDnsServer.start();
    config = loadLabConfig({
      USER_REPLICAS: '1',
      CART_REPLICAS: '3',
      PRODUCT_REPLICAS: '1',
      LAB_PORT_BASE: String(await freePortBlock()),
      REPLICA_DISCOVERY: 'dns',
      REPLICA_SRV_NAME: `_rpc._tcp.{service}.${DOMAIN}`,
    });
    telemetry = new GatewayTelemetry({ service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing }, true);
    server.set(srvName('user'), [{ name: `user-1.user.${DOMAIN}`, port: 7101 }]);
    server.set(srvName('product'), [{ name: `product-1.product.${DOMAIN}`, port: 7301 }]);
    answerCarts([1, 2, 3]);
    for (const index of [1, 2, 3]) startCart(index);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(replicas.map((child) => stopChild(child)));
    await server.close();
    jest.restoreAllMocks();
  });

  it('routes to a replica once DNS names it and it answers, and drops one DNS no longer names after the settle time', async () => {
    const module = GatewayModule.register(config, loadGatewayConfig({}), SECRET, telemetry);
    const resolver = new dns.Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([server.address]);
    module.providers = module.providers?.map((provider) =>
      typeof provider === 'object' && 'provide' in provider && provider.provide === SRV_RESOLVER ? { provide: SRV_RESOLVER, useValue: resolver } : provider,
    );
    app = await NestFactory.createApplicationContext(module, { logger: false });
    const directory = app.get(ReplicaDirectory);
    const cartsUp = () =>
      directory
        .view('cart')
        .filter((view) => view.link.up)
        .map((view) => view.link.id);
    await waitUntil('cart-1..3 answer the gateway', () => cartsUp().length === 3, { timeoutMs: 30_000 });
    expect(directory.routedIds('cart')).toEqual(['cart-1', 'cart-2', 'cart-3']);

    // kubectl scale statefulset/cart --replicas=4: the pod starts, then DNS names it.
    startCart(4);
    answerCarts([1, 2, 3, 4]);
    await waitUntil('the gateway routes to cart-4', () => directory.routedIds('cart').length === 4, { timeoutMs: 30_000 });
    expect(directory.find('cart-4')?.up).toBe(true);

    // kubectl scale statefulset/cart --replicas=2: DNS stops naming cart-3 and cart-4.
    const shrunkAt = Date.now();
    answerCarts([1, 2]);
    await waitUntil('the gateway routes to 2 carts', () => directory.routedIds('cart').length === 2, { timeoutMs: 30_000 });
    expect(Date.now() - shrunkAt).toBeGreaterThanOrEqual(SCALE_DOWN_SETTLE_MS);
    expect(directory.routedIds('cart')).toEqual(['cart-1', 'cart-2']);
    expect(await telemetry.metrics.render()).toMatch(/lab_rescales_total\{[^}]*service="cart"[^}]*\} 2/);
  });
});
