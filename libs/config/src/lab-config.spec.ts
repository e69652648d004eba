import { ConfigError } from './env';
import { chatWsPort, loadLabConfig, loadReplicaIdentity, parseReplicaId, replicaAddress } from './lab-config';
import { loadTelemetryConfig } from './telemetry-config';

describe('loadLabConfig()', () => {
  it('defaults to stateful mode, sticky-ring routing, 3 replicas each, port 8080', () => {
    const config = loadLabConfig({});
    expect(config).toMatchObject({
      stateMode: 'stateful',
      routing: 'sticky-ring',
      replicas: { user: 3, cart: 3, product: 3, chat: 3 },
      redisUrl: 'redis://127.0.0.1:6379',
      sessionTtlSeconds: 1800,
      gatewayPort: 8080,
      adminToken: undefined,
    });
  });

  it('defaults to round-robin routing in redis mode', () => {
    expect(loadLabConfig({ STATE_MODE: 'redis' }).routing).toBe('round-robin');
  });

  it('defaults to round-robin routing in jwt mode', () => {
    expect(loadLabConfig({ STATE_MODE: 'jwt' })).toMatchObject({ stateMode: 'jwt', routing: 'round-robin' });
  });

  it('keeps an explicit routing in either mode', () => {
    expect(loadLabConfig({ STATE_MODE: 'redis', ROUTING: 'sticky-modulo' }).routing).toBe('sticky-modulo');
  });

  it.each([
    ['STATE_MODE', 'jwe', 'invalid STATE_MODE="jwe": expected one of stateful, redis, jwt'],
    ['ROUTING', 'random', 'invalid ROUTING="random": expected one of round-robin, sticky-modulo, sticky-ring, sticky-cookie, ip-hash'],
    ['USER_REPLICAS', '0', 'invalid USER_REPLICAS="0": expected an integer from 1 to 16'],
    ['CART_REPLICAS', '17', 'invalid CART_REPLICAS="17": expected an integer from 1 to 16'],
    ['PRODUCT_REPLICAS', '2.5', 'invalid PRODUCT_REPLICAS="2.5": expected an integer from 1 to 16'],
    ['REDIS_URL', 'http://localhost:6379', 'invalid REDIS_URL="http://localhost:6379": expected a redis:// or rediss:// URL'],
    ['REDIS_URL', 'not a url', 'invalid REDIS_URL="not a url": expected a redis:// or rediss:// URL'],
    ['SESSION_TTL_SECONDS', '0', 'invalid SESSION_TTL_SECONDS="0": expected an integer from 1 to 2592000'],
    ['SESSION_TTL_SECONDS', '-5', 'invalid SESSION_TTL_SECONDS="-5": expected an integer from 1 to 2592000'],
    ['GATEWAY_PORT', '70000', 'invalid GATEWAY_PORT="70000": expected an integer from 1 to 65535'],
    ['GATEWAY_PORT', '80a', 'invalid GATEWAY_PORT="80a": expected an integer from 1 to 65535'],
    ['LAB_ADMIN_TOKEN', 'short', 'invalid LAB_ADMIN_TOKEN="short": expected 8 to 256 printable ASCII characters'],
    ['REPLICA_HOST', '{pod}.cart', 'invalid REPLICA_HOST="{pod}.cart": expected a host name, an IP, or a template with {id} and {service}'],
    ['REPLICA_PORTS', 'per-pod', 'invalid REPLICA_PORTS="per-pod": expected one of per-replica, per-service'],
    ['REPLICA_DISCOVERY', 'consul', 'invalid REPLICA_DISCOVERY="consul": expected one of static, dns'],
  ])('rejects %s=%s with one line naming the variable, the value and what is allowed', (name, value, message) => {
    expect(() => loadLabConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadLabConfig({ [name]: value })).toThrow(message);
  });

  it('keeps static replica discovery and per-replica ports unless told otherwise', () => {
    expect(loadLabConfig({})).toMatchObject({ replicaDiscovery: { mode: 'static' }, replicaPorts: 'per-replica' });
  });

  it('reads the SRV name template of DNS discovery', () => {
    const config = loadLabConfig({ REPLICA_DISCOVERY: 'dns', REPLICA_SRV_NAME: '_rpc._tcp.{service}.statelab.svc.cluster.local' });
    expect(config.replicaDiscovery).toEqual({ mode: 'dns', srvNameTemplate: '_rpc._tcp.{service}.statelab.svc.cluster.local' });
  });

  it.each([
    [undefined, 'invalid REPLICA_SRV_NAME="": expected a DNS name with {service} in it'],
    ['_rpc._tcp.cart.statelab.svc.cluster.local', 'invalid REPLICA_SRV_NAME="_rpc._tcp.cart.statelab.svc.cluster.local"'],
    ['_rpc._tcp.{service} .statelab', 'invalid REPLICA_SRV_NAME="_rpc._tcp.{service} .statelab"'],
  ])('refuses DNS discovery with REPLICA_SRV_NAME=%s', (srvName, message) => {
    expect(() => loadLabConfig({ REPLICA_DISCOVERY: 'dns', REPLICA_SRV_NAME: srvName })).toThrow(message);
  });

  it('treats an empty variable as unset', () => {
    expect(loadLabConfig({ STATE_MODE: '', GATEWAY_PORT: '' })).toMatchObject({ stateMode: 'stateful', gatewayPort: 8080 });
  });
});

describe('replicaAddress()', () => {
  it('places each service in its own port block, metrics 50 above rpc', () => {
    const config = { portBase: 7100, replicaHostTemplate: '127.0.0.1' };
    expect(replicaAddress(config, 'user', 1)).toMatchObject({ id: 'user-1', rpcPort: 7101, metricsPort: 7151 });
    expect(replicaAddress(config, 'cart', 16)).toMatchObject({ id: 'cart-16', rpcPort: 7216, metricsPort: 7266 });
    expect(replicaAddress(config, 'product', 2)).toMatchObject({ id: 'product-2', rpcPort: 7302, metricsPort: 7352 });
  });

  it('places chat replicas in the 4xx block, their WebSocket port 25 above rpc', () => {
    const chat = replicaAddress({ portBase: 7100, replicaHostTemplate: '127.0.0.1' }, 'chat', 2);
    expect(chat).toMatchObject({ id: 'chat-2', rpcPort: 7402, metricsPort: 7452 });
    expect(chatWsPort(chat)).toBe(7427);
    expect(loadLabConfig({ CHAT_REPLICAS: '5' }).replicas.chat).toBe(5);
    expect(() => loadLabConfig({ CHAT_REPLICAS: '17' })).toThrow('invalid CHAT_REPLICAS="17"');
    expect(parseReplicaId('chat-3')).toEqual({ service: 'chat', index: 3 });
  });

  it('delivers chat messages at most once unless CHAT_DELIVERY asks for at-least-once, which needs Redis', () => {
    expect(loadLabConfig({}).chatDelivery).toBe('at-most-once');
    expect(loadLabConfig({ STATE_MODE: 'redis', CHAT_DELIVERY: 'at-least-once' }).chatDelivery).toBe('at-least-once');
    expect(() => loadLabConfig({ CHAT_DELIVERY: 'at-least-once' })).toThrow('invalid CHAT_DELIVERY="at-least-once"');
    expect(() => loadLabConfig({ STATE_MODE: 'redis', CHAT_DELIVERY: 'exactly-once' })).toThrow('invalid CHAT_DELIVERY');
  });

  it('fills the {id} host template (compose service names)', () => {
    expect(replicaAddress({ portBase: 7100, replicaHostTemplate: '{id}' }, 'cart', 2).host).toBe('cart-2');
  });

  it('fills {id} and {service} (Kubernetes: a StatefulSet pod under its headless Service)', () => {
    expect(replicaAddress({ portBase: 7100, replicaHostTemplate: '{id}.{service}' }, 'cart', 2).host).toBe('cart-2.cart');
  });

  it('gives every replica of a service the same ports with REPLICA_PORTS=per-service', () => {
    const config = { portBase: 7100, replicaHostTemplate: '{id}.{service}', replicaPorts: 'per-service' as const };
    expect(replicaAddress(config, 'cart', 1)).toMatchObject({ id: 'cart-1', rpcPort: 7201, metricsPort: 7251 });
    expect(replicaAddress(config, 'cart', 5)).toMatchObject({ id: 'cart-5', host: 'cart-5.cart', rpcPort: 7201, metricsPort: 7251 });
    expect(replicaAddress(config, 'product', 3)).toMatchObject({ rpcPort: 7301, metricsPort: 7351 });
  });
});

describe('parseReplicaId() and loadReplicaIdentity()', () => {
  it.each(['cart-0', 'cart-17', 'cart-01', 'billing-1', 'cart', 'cart-1x'])('refuses %s', (id) => {
    expect(parseReplicaId(id)).toBeUndefined();
  });

  it('refuses a replica id of another service', () => {
    expect(() => loadReplicaIdentity({ REPLICA_ID: 'user-2' }, 'cart')).toThrow('invalid REPLICA_ID="user-2"');
  });
});

describe('loadTelemetryConfig()', () => {
  it('keeps tracing off unless an OTLP endpoint is set', () => {
    expect(loadTelemetryConfig({}).tracingEnabled).toBe(false);
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).tracingEnabled).toBe(true);
    expect(loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).tracingEnabled).toBe(false);
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    expect(() => loadTelemetryConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toThrow('invalid OTEL_EXPORTER_OTLP_ENDPOINT');
  });

  it('turns metrics off with METRICS=off', () => {
    expect(loadTelemetryConfig({ METRICS: 'off' }).metricsEnabled).toBe(false);
  });
});
