import { ConfigError } from './env';
import { loadLabConfig } from './lab-config';
import { formatNodeList, loadRedisConfig, parseNodeList, privateRedisTopologyWanted } from './redis-config';

describe('loadRedisConfig()', () => {
  it('defaults to a single Redis at REDIS_URL with asynchronous replication', () => {
    expect(loadRedisConfig({ REDIS_URL: 'redis://10.0.0.5:6400' })).toEqual({
      topology: { kind: 'single', url: 'redis://10.0.0.5:6400' },
      durability: { waitReplicas: 0, waitTimeoutMs: 250 },
    });
  });

  it('reads the Sentinels and the master name of a sentinel topology', () => {
    const config = loadRedisConfig({ REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: '127.0.0.1:26379, sentinel-1.sentinel:26380', REDIS_MASTER_NAME: 'shop' });
    expect(config.topology).toEqual({
      kind: 'sentinel',
      sentinels: [
        { host: '127.0.0.1', port: 26379 },
        { host: 'sentinel-1.sentinel', port: 26380 },
      ],
      masterName: 'shop',
    });
  });

  it('names the master `statelab` unless REDIS_MASTER_NAME says otherwise', () => {
    const config = loadRedisConfig({ REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: '127.0.0.1:26379' });
    expect(config.topology).toMatchObject({ masterName: 'statelab' });
  });

  it('reads the seed nodes of a cluster, IPv6 included', () => {
    const config = loadRedisConfig({ REDIS_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: '127.0.0.1:7000,[::1]:7001' });
    expect(config.topology).toEqual({
      kind: 'cluster',
      nodes: [
        { host: '127.0.0.1', port: 7000 },
        { host: '::1', port: 7001 },
      ],
    });
  });

  it('reads REDIS_WAIT_REPLICAS and its timeout', () => {
    expect(loadRedisConfig({ REDIS_WAIT_REPLICAS: '1', REDIS_WAIT_TIMEOUT_MS: '100' }).durability).toEqual({ waitReplicas: 1, waitTimeoutMs: 100 });
  });

  it.each([
    [{ REDIS_TOPOLOGY: 'ring' }, 'invalid REDIS_TOPOLOGY="ring": expected one of single, sentinel, cluster'],
    [{ REDIS_TOPOLOGY: 'sentinel' }, 'invalid REDIS_SENTINELS="": expected a comma-separated list of host:port (REDIS_TOPOLOGY=sentinel)'],
    [{ REDIS_TOPOLOGY: 'cluster' }, 'invalid REDIS_CLUSTER_NODES="": expected a comma-separated list of host:port (REDIS_TOPOLOGY=cluster)'],
    [{ REDIS_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: '127.0.0.1' }, 'invalid REDIS_CLUSTER_NODES="127.0.0.1": expected a comma-separated list of host:port'],
    [{ REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: 'a:1,,b:2' }, 'invalid REDIS_SENTINELS="a:1,,b:2"'],
    [{ REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: 'a:70000' }, 'invalid REDIS_SENTINELS="a:70000"'],
    [{ REDIS_TOPOLOGY: 'sentinel', REDIS_SENTINELS: 'a:1', REDIS_MASTER_NAME: 'my master' }, 'invalid REDIS_MASTER_NAME="my master"'],
    [{ REDIS_WAIT_REPLICAS: '-1' }, 'invalid REDIS_WAIT_REPLICAS="-1": expected an integer from 0 to 5'],
    [{ REDIS_WAIT_TIMEOUT_MS: '1000' }, 'invalid REDIS_WAIT_TIMEOUT_MS="1000": expected an integer from 1 to 400'],
  ])('rejects %j with one line naming the variable', (env, message) => {
    expect(() => loadRedisConfig(env)).toThrow(ConfigError);
    expect(() => loadRedisConfig(env)).toThrow(message);
  });

  it('is part of the lab config every process validates at boot', () => {
    expect(loadLabConfig({ REDIS_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: '127.0.0.1:7000' }).redis.topology.kind).toBe('cluster');
    expect(() => loadLabConfig({ REDIS_TOPOLOGY: 'sentinel' })).toThrow('REDIS_SENTINELS');
  });
});

describe('parseNodeList() / formatNodeList()', () => {
  it('round-trips a list of addresses', () => {
    const text = '127.0.0.1:7000,[::1]:7001,redis-0.redis:6379';
    expect(formatNodeList(parseNodeList('X', text))).toBe(text);
  });
});

describe('privateRedisTopologyWanted()', () => {
  it('asks the launcher for a private topology only in redis mode and only when its addresses are missing', () => {
    expect(privateRedisTopologyWanted({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'sentinel' })).toBe('sentinel');
    expect(privateRedisTopologyWanted({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'cluster' })).toBe('cluster');
    expect(privateRedisTopologyWanted({ STATE_MODE: 'redis', REDIS_TOPOLOGY: 'cluster', REDIS_CLUSTER_NODES: 'r:7000' })).toBeUndefined();
    expect(privateRedisTopologyWanted({ STATE_MODE: 'stateful', REDIS_TOPOLOGY: 'sentinel' })).toBeUndefined();
    expect(privateRedisTopologyWanted({ STATE_MODE: 'redis' })).toBeUndefined();
  });
});
