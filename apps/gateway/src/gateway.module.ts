import { DynamicModule, Module } from '@nestjs/common';
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
import { SessionCookies } from '@app/tokens';
import { SessionRegistry } from './sessions/session-registry';
import { SessionGuard } from './sessions/session.guard';
import { ChatPush } from './realtime/chat-push';
import { RealtimeTelemetry } from './realtime/realtime-telemetry';
import { SessionUpgradeAuthenticator, UPGRADE_AUTHENTICATOR } from './realtime/upgrade-authenticator';
import { WebSocketProxy } from './realtime/websocket-proxy';

/**
 * The HTTP edge: validates input (route schemas), resolves sessions (SessionGuard), routes
 * every call to a replica (directory → router → caller, with health checks beside, and DNS
 * discovery when REPLICA_DISCOVERY=dns), proxies WebSockets to the chat replicas (/ws), and runs
 * the lab's control API.
 */
@Module({})
export class GatewayModule {
  static register(config: LabConfig, gateway: GatewayConfig, hopSecret: string, telemetry: GatewayTelemetry): DynamicModule {
    const registry = new SessionRegistry(config.sessionTtlSeconds * 1000);
    telemetry.trackKnownSessions(() => registry.size);
    return {
      module: GatewayModule,
      imports: [LabConfigModule.forRoot(config)],
      controllers: [AuthController, ProductsController, CartController, LabController, HealthController],
      providers: [
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
        { provide: UPGRADE_AUTHENTICATOR, useClass: SessionUpgradeAuthenticator },
        WebSocketProxy,
        ChatPush,
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
