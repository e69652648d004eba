import type Redis from 'ioredis';
import { closeRedisClient, createRedisClient } from '@app/state';
import { hs256Key, LabTokens } from '@app/tokens';
import { startPrivateRedis } from '../../../../tools/kit/lab';
import type { RedisServerProcess } from '../../../../tools/lab/redis-server';
import { TokenRevocations } from './token-revocations';

describe('TokenRevocations (a real redis-server)', () => {
  let server: RedisServerProcess;
  let client: Redis;
  let now = Date.parse('2026-12-02T10:00:00Z');
  const tokens = new LabTokens({ key: hs256Key('a-jwt-secret-of-at-least-32-characters'), accessTtlSeconds: 900, refreshTtlSeconds: 86_400, now: () => now });
  const user = { userId: 'u-5', username: 'user5' };
  let revocations: TokenRevocations;

  beforeAll(async () => {
    server = await startPrivateRedis({ appendOnly: false });
    client = createRedisClient(server.url);
    await new Promise((resolve) => client.once('ready', resolve));
  }, 30_000);
  afterAll(async () => {
    await closeRedisClient(client);
    await server?.stop();
  });
  beforeEach(async () => {
    await client.flushall();
    revocations = new TokenRevocations(client, { accessTtlSeconds: 900, refreshTtlSeconds: 86_400 }, undefined, () => now);
  });

  /** A login: a refresh family and an access token in it. */
  async function login() {
    const refresh = tokens.issue(user, 'refresh');
    await revocations.startFamily(refresh.claims);
    return { refresh: refresh.claims, access: tokens.issue(user, 'access', refresh.claims.fam).claims };
  }

  it('keeps every key of a user in one Redis Cluster slot (hash tag {<userId>})', async () => {
    const { access } = await login();
    await revocations.logout(access, true);
    await revocations.logoutAll('u-5');
    expect((await client.keys('*')).sort()).toEqual([`statelab:jwt:{u-5}:deny:${access.jti}`, 'statelab:jwt:{u-5}:nbf']);
  });

  it('revokes a logged-out token and the family it belongs to, not another login', async () => {
    const first = await login();
    const second = await login();
    expect(await revocations.isRevoked(first.access)).toBe(false);
    await revocations.logout(first.access, true);
    expect(await revocations.isRevoked(first.access)).toBe(true);
    expect(await revocations.rotate(first.refresh, 'next')).toBe('revoked');
    expect(await revocations.isRevoked(second.access)).toBe(false);
  });

  it('revokes tokens issued before a logout-all, not those issued after it', async () => {
    const before = await login();
    now += 1;
    await revocations.logoutAll('u-5');
    const after = await login();
    expect(await revocations.isRevoked(before.access)).toBe(true);
    expect(await revocations.isRevoked(after.access)).toBe(false);
    now += 1;
    expect(await revocations.rotate(after.refresh, 'next')).toBe('rotated');
  });

  it('lets only one of two refreshes racing with the same token win; the loser ends the family', async () => {
    const { refresh, access } = await login();
    const outcomes = await Promise.all([revocations.rotate(refresh, 'next-a'), revocations.rotate(refresh, 'next-b')]);
    expect(outcomes.sort()).toEqual(['reused', 'rotated']);
    expect(await revocations.isRevoked(access)).toBe(true);
  });
});
