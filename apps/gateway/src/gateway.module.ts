import { DynamicModule, Logger, Module, OnApplicationShutdown, Provider, Type } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { promises as dns } from 'node:dns';
import { GatewayConfig, LabConfig, LabConfigModule } from '@app/config';
import { GatewayTelemetry, TracingLifecycle } from '@app/telemetry';
import { AuthController } from './auth/auth.controller';
import { CartController } from './cart/cart.controller';
import { ProductsController } from './products/products.controller';
import { GATEWAY_CONFIG, HOP_SECRET, SRV_RESOLVER } from './gateway.tokens';
import { HealthController } from './health/health.controller';
import { HttpErrorFilter } from './http/http-error.filter';
import { LabController } from './lab/lab.controller';
import { FaultsService } from './lab/faults.service';
import { LabService } from './lab/lab.service';
import { ReplicaCaller } from './replicas/replica-caller';
import { ReplicaDirectory } from './replicas/replica-directory';
import { ReplicaDiscovery } from './replicas/replica-discovery';
import { ReplicaHealthChecks } from './replicas/replica-health';
import { ReplicaRouter } from './replicas/replica-router';
import { SupervisorLink } from './replicas/supervisor-link';
import { closeRedisClient, createTopologyClient, type RedisClient } from '@app/state';
import { ed25519Key, hs256Key, LabTokens, SessionCookies } from '@app/tokens';
import { AuthGuard, Authenticator } from './auth/authenticator';
import { SessionRegistry } from './sessions/session-registry';
import { SessionGuard } from './sessions/session.guard';
import { AccessTokenAuthenticator } from './tokens/access-token.authenticator';
import { TokenAuthController } from './tokens/token-auth.controller';
import { TokenRevocations } from './tokens/token-revocations';
import { ChatPush } from './realtime/chat-push';
import { RealtimeTelemetry } from './realtime/realtime-telemetry';
import { SessionUpgradeAuthenticator, TokenUpgradeAuthenticator, UPGRADE_AUTHENTICATOR } from './realtime/upgrade-authenticator';
import { WebSocketProxy } from './realtime/websocket-proxy';

/** Closes the gateway's own Redis client (jwt mode) once it has stopped serving. */
class GatewayRedis implements OnApplicationShutdown {
  constructor(readonly client: RedisClient) {}

  onApplicationShutdown(): Promise<void> {
    return closeRedisClient(this.client);
  }
}

/**
 * How callers are authenticated: by `sid` cookie through a user replica (stateful, redis), or
 * (jwt) by access tokens the gateway checks itself against one Redis round trip for revocations.
 */
function authentication(config: LabConfig, gateway: GatewayConfig): { controller: Type; providers: Provider[] } {
  if (config.stateMode !== 'jwt') {
    return {
      controller: AuthController,
      providers: [
        { provide: Authenticator, useExisting: SessionGuard },
        { provide: UPGRADE_AUTHENTICATOR, useClass: SessionUpgradeAuthenticator },
      ],
    };
  }
  const { key, accessTtlSeconds, refreshTtlSeconds } = gateway.jwt;
  const logger = new Logger('TokenRevocations');
  return {
    controller: TokenAuthController,
    providers: [
      {
        provide: LabTokens,
        useValue: new LabTokens({ key: key.alg === 'HS256' ? hs256Key(key.secret) : ed25519Key(key.privateKeyPem), accessTtlSeconds, refreshTtlSeconds }),
      },
      {
        provide: GatewayRedis,
        useFactory: () => new GatewayRedis(createTopologyClient(config.redis.topology, { onError: (error) => logger.warn(`Redis unavailable: ${error.message}`) })),
      },
      { provide: TokenRevocations, useFactory: (redis: GatewayRedis) => new TokenRevocations(redis.client, gateway.jwt), inject: [GatewayRedis] },
      AccessTokenAuthenticator,
      { provide: Authenticator, useExisting: AccessTokenAuthenticator },
      { provide: UPGRADE_AUTHENTICATOR, useClass: TokenUpgradeAuthenticator },
    ],
  };
}

/**
 * The HTTP edge: validates input (route schemas), resolves sessions (AuthGuard: a `sid` cookie, or a token in jwt mode), routes
 * every call to a replica (directory → router → caller, with health checks beside, and DNS
 * discovery when REPLICA_DISCOVERY=dns), proxies WebSockets to the chat replicas (/ws), and runs
 * the lab's control API.
 */
@Module({})
export class GatewayModule {
  static register(config: LabConfig, gateway: GatewayConfig, hopSecret: string, telemetry: GatewayTelemetry): DynamicModule {
    const registry = new SessionRegistry(config.sessionTtlSeconds * 1000);
    telemetry.trackKnownSessions(() => registry.size);
    const auth = authentication(config, gateway);
    return {
      module: GatewayModule,
      imports: [LabConfigModule.forRoot(config)],
      controllers: [auth.controller, ProductsController, CartController, LabController, HealthController],
      providers: [
        ...auth.providers,
        AuthGuard,
        { provide: GatewayTelemetry, useValue: telemetry },
        { provide: HOP_SECRET, useValue: hopSecret },
        {
          provide: SessionCookies,
          useValue: new SessionCookies({
            secret: gateway.sessionSecrets.current,
            previousSecret: gateway.sessionSecrets.previous,
            maxAgeSeconds: config.sessionTtlSeconds,
            secure: gateway.cookieSecure,
          }),
        },
        { provide: GATEWAY_CONFIG, useValue: gateway },
        { provide: SessionRegistry, useValue: registry },
        SessionGuard,
        ReplicaDirectory,
        { provide: SRV_RESOLVER, useFactory: () => new dns.Resolver({ timeout: 1000, tries: 2 }) },
        ReplicaDiscovery,
        ReplicaRouter,
        ReplicaHealthChecks,
        ReplicaCaller,
        SupervisorLink,
        LabService,
        FaultsService,
        TracingLifecycle,
        { provide: RealtimeTelemetry, useValue: new RealtimeTelemetry(telemetry) },
        WebSocketProxy,
        ChatPush,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
