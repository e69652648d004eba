import 'reflect-metadata';
import { Global, INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { RedisServerProcess } from '../../../tools/lab/redis-server';
import { freePort } from '../../../test/support/ports';
import { startPrivateRedis } from '../../../test/support/redis';
import { MemoryCartStore, MemorySessionStore } from './memory-stores';
import { ObservedCartStore, ObservedSessionStore, StoreObserver } from './observed-stores';
import { RedisCartStore } from './redis-cart-store';
import { RedisSessionStore } from './redis-session-store';
import { StateModule, StateModuleOptions } from './state.module';
import { CartStore, SessionStore, StoreUnavailableError } from './stores';
import { CART_STORE, SESSION_STORE, STORE_OBSERVER } from './tokens';

const alice = { userId: 'u-1', username: 'alice' };

async function boot(options: StateModuleOptions, extraImports: unknown[] = []): Promise<INestApplicationContext> {
  @Module({ imports: [...(extraImports as []), StateModule.register(options)] })
  class AppModule {}
  return NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false });
}

const observed: Array<[string, string]> = [];
@Global()
@Module({
  providers: [{ provide: STORE_OBSERVER, useValue: { observe: (store, operation) => observed.push([store, operation]) } satisfies StoreObserver }],
  exports: [STORE_OBSERVER],
})
class ObserverModule {}

describe('StateModule', () => {
  let app: INestApplicationContext | undefined;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    observed.length = 0;
  });

  describe("in 'stateful' mode", () => {
    const options: StateModuleOptions = { mode: 'stateful', redisUrl: 'redis://127.0.0.1:1', ttlSeconds: 60, kinds: ['sessions', 'carts'], replicaId: 'user-1' };

    it('provides the memory adapters under SESSION_STORE and CART_STORE, and closes them on shutdown', async () => {
      app = await boot(options);
      const sessions = app.get<SessionStore>(SESSION_STORE);
      const carts = app.get<CartStore>(CART_STORE);
      expect(sessions).toBeInstanceOf(MemorySessionStore);
      expect(carts).toBeInstanceOf(MemoryCartStore);
      const closeSessions = jest.spyOn(sessions, 'close');
      const closeCarts = jest.spyOn(carts, 'close');
      await app.close();
      app = undefined;
      expect(closeSessions).toHaveBeenCalledTimes(1);
      expect(closeCarts).toHaveBeenCalledTimes(1);
    });

    it('provides only the stores named in kinds', async () => {
      app = await boot({ ...options, kinds: ['carts'] });
      expect(app.get<CartStore>(CART_STORE).backend).toBe('memory');
      expect(() => app!.get(SESSION_STORE)).toThrow();
    });

    it('times every store call when a STORE_OBSERVER is provided', async () => {
      app = await boot(options, [ObserverModule]);
      const sessions = app.get<SessionStore>(SESSION_STORE);
      expect(sessions).toBeInstanceOf(ObservedSessionStore);
      expect(app.get<CartStore>(CART_STORE)).toBeInstanceOf(ObservedCartStore);
      await sessions.create('sid-1', alice);
      await sessions.get('sid-1');
      expect(observed).toEqual([['memory', 'create'], ['memory', 'get']]);
    });

    it('takes the observer from a module passed in imports', async () => {
      @Module({ providers: [{ provide: STORE_OBSERVER, useValue: { observe: () => observed.push(['local', 'x']) } }], exports: [STORE_OBSERVER] })
      class LocalObserverModule {}
      app = await boot({ ...options, imports: [LocalObserverModule] });
      await app.get<CartStore>(CART_STORE).count();
      expect(observed).toEqual([['local', 'x']]);
    });

    it('refuses to register without any kind of store', () => {
      expect(() => StateModule.register({ ...options, kinds: [] })).toThrow(/kinds/);
    });
  });

  describe("in 'redis' mode", () => {
    let server: RedisServerProcess;

    beforeAll(async () => {
      server = await startPrivateRedis();
    });

    afterAll(async () => {
      await server.stop();
    });

    it('provides Redis adapters over one shared client, and closes it on shutdown', async () => {
      app = await boot({ mode: 'redis', redisUrl: server.url, ttlSeconds: 60, kinds: ['sessions', 'carts'], replicaId: 'user-1' });
      const sessions = app.get<SessionStore>(SESSION_STORE);
      const carts = app.get<CartStore>(CART_STORE);
      expect(sessions).toBeInstanceOf(RedisSessionStore);
      expect(carts).toBeInstanceOf(RedisCartStore);
      await sessions.create('sid-1', alice);
      expect(await sessions.get('sid-1')).toEqual(alice);
      expect(await carts.ping()).toBe(true);

      await app.close();
      app = undefined;
      expect(await sessions.ping()).toBe(false);
      expect(await carts.ping()).toBe(false);
    });

    it('boots without Redis, answers StoreUnavailableError, and shuts down cleanly', async () => {
      const startedAt = Date.now();
      app = await boot({ mode: 'redis', redisUrl: `redis://127.0.0.1:${await freePort()}`, ttlSeconds: 60, kinds: ['sessions'], replicaId: 'user-1' });
      expect(Date.now() - startedAt).toBeLessThan(3000);
      const sessions = app.get<SessionStore>(SESSION_STORE);
      await expect(sessions.get('sid-1')).rejects.toBeInstanceOf(StoreUnavailableError);
      expect(await sessions.ping()).toBe(false);
    });

    it('reports store calls as redis when observed', async () => {
      app = await boot({ mode: 'redis', redisUrl: server.url, ttlSeconds: 60, kinds: ['carts'], replicaId: 'cart-1' }, [ObserverModule]);
      await app.get<CartStore>(CART_STORE).get('c');
      expect(observed).toEqual([['redis', 'get']]);
    });
  });
});
