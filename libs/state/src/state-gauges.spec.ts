import 'reflect-metadata';
import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import Redis from 'ioredis';
import { parseMetrics } from '../../../tools/kit/metrics';
import { startPrivateRedis } from '../../../tools/kit/lab';
import type { RedisServerProcess } from '../../../tools/lab/redis-server';
import { ReplicaTelemetry } from '@app/telemetry';
import { StateModule, StateModuleOptions } from './state.module';
import { CartStore, SessionStore } from './stores';
import { CART_STORE, SESSION_STORE, STATE_GAUGES } from './tokens';
import { eventually } from './testing/wait';

const alice = { userId: 'u-1', username: 'alice' };
const limits = { maxLines: 5, maxQuantity: 5 };
const item = { productId: 'p-1', quantity: 1, priceCents: 100 };

/** A replica's telemetry, provided as STATE_GAUGES the way ReplicaModule provides it. */
function gaugesModule(telemetry: ReplicaTelemetry) {
  @Global()
  @Module({ providers: [{ provide: STATE_GAUGES, useValue: telemetry }], exports: [STATE_GAUGES] })
  class GaugesModule {}
  return GaugesModule;
}

async function boot(options: StateModuleOptions, telemetry: ReplicaTelemetry): Promise<INestApplicationContext> {
  @Module({ imports: [gaugesModule(telemetry), StateModule.register(options)] })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

/** The gauge's samples as `replica → value`, from a real scrape of the registry. */
async function scrape(telemetry: ReplicaTelemetry, name: string): Promise<Record<string, number>> {
  const samples = parseMetrics(await telemetry.metrics.render()).filter((s) => s.name === name);
  return Object.fromEntries(samples.map((s) => [s.labels.replica, s.value]));
}

/** Calls per command since the last CONFIG RESETSTAT, from INFO commandstats (script-inner commands included). */
async function commandCalls(redis: Redis): Promise<Record<string, number>> {
  const calls: Record<string, number> = {};
  for (const [, command, count] of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls[command] = Number(count);
  return calls;
}

describe('state gauges (lab_sessions_active, lab_carts_active)', () => {
  let server: RedisServerProcess;
  let app: INestApplicationContext | undefined;

  beforeAll(async () => {
    server = await startPrivateRedis();
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  afterAll(async () => {
    await server.stop();
  });

  describe.each([
    ['stateful', 'user-2'],
    ['redis', 'redis'],
  ] as const)('in %s mode', (mode, holder) => {
    it(`are registered by StateModule under replica="${holder}" and follow creates, destroys and expiry`, async () => {
      const telemetry = new ReplicaTelemetry({ service: 'user', replica: 'user-2', mode, routing: 'round-robin' }, true);
      // A TTL of 2 s: the steps before the expiry check must not outlast it on a busy machine.
      app = await boot({ mode, redisUrl: server.url, ttlSeconds: 2, kinds: ['sessions', 'carts'], replicaId: 'user-2', keyPrefix: `gauges-${mode}:` }, telemetry);
      const sessions = app.get<SessionStore>(SESSION_STORE);
      const carts = app.get<CartStore>(CART_STORE);
      expect(await scrape(telemetry, 'lab_sessions_active')).toEqual({ [holder]: 0 });

      for (const sid of ['s-1', 's-2', 's-3']) await sessions.create(sid, alice);
      await carts.addItem('s-1', item, limits);
      await carts.addItem('s-2', item, limits);
      expect(await scrape(telemetry, 'lab_sessions_active')).toEqual({ [holder]: 3 });
      expect(await scrape(telemetry, 'lab_carts_active')).toEqual({ [holder]: 2 });

      await sessions.destroy('s-3');
      await carts.discard('s-2');
      expect(await scrape(telemetry, 'lab_sessions_active')).toEqual({ [holder]: 2 });
      expect(await scrape(telemetry, 'lab_carts_active')).toEqual({ [holder]: 1 });

      // Nobody touches them: one TTL (2 s), rounded up to a 100 ms boundary, and they are out.
      const idleSince = Date.now();
      await eventually('the sessions and the cart to expire', async () => {
        const [live, cartsLive] = [await scrape(telemetry, 'lab_sessions_active'), await scrape(telemetry, 'lab_carts_active')];
        return live[holder] === 0 && cartsLive[holder] === 0;
      }, 6000);
      expect(Date.now() - idleSince).toBeLessThan(2800);
    });
  });

  describe('in redis mode, 100k sessions among 200k keys', () => {
    let redis: Redis;

    beforeAll(async () => {
      redis = new Redis(server.url, { maxRetriesPerRequest: 1 });
    });

    afterAll(() => {
      redis.disconnect();
    });

    it('answers a scrape within milliseconds with one Redis round trip and no SCAN', async () => {
      await redis.flushall();
      const telemetry = new ReplicaTelemetry({ service: 'user', replica: 'user-1', mode: 'redis', routing: 'round-robin' }, true);
      app = await boot({ mode: 'redis', redisUrl: server.url, ttlSeconds: 1800, kinds: ['sessions'], replicaId: 'user-1', commandTimeoutMs: 5000 }, telemetry);
      const sessions = app.get<SessionStore>(SESSION_STORE);
      const total = 100_000;
      for (let start = 0; start < total; start += 5000) {
        await Promise.all(Array.from({ length: 5000 }, (_, i) => sessions.create(`sid-${start + i}`, alice)));
      }
      // As many other keys (carts, orders, anything): the former per-scrape SCAN walked them all.
      for (let start = 0; start < total; start += 10_000) {
        const pipeline = redis.pipeline();
        for (let i = start; i < start + 10_000; i++) pipeline.set(`other:${i}`, 'x');
        await pipeline.exec();
      }
      expect(await redis.dbsize()).toBeGreaterThanOrEqual(200_000);
      await sessions.count(); // lets this client's ledger moves land before the stats reset

      await redis.config('RESETSTAT');
      const started = performance.now();
      const live = await scrape(telemetry, 'lab_sessions_active');
      const elapsedMs = performance.now() - started;
      const calls = await commandCalls(redis);

      expect(live).toEqual({ redis: total });
      expect(elapsedMs).toBeLessThan(100);
      const { 'config|resetstat': _resetstat, ...scrapeCalls } = calls;
      // One EVALSHA; inside it TIME and HGETALL over at most TTL / step + 1 = 181 boundaries.
      expect(scrapeCalls).toEqual({ evalsha: 1, time: 1, hgetall: 1 });
    }, 120_000);
  });
});
