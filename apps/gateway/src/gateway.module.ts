import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ValidationPipe } from '@nestjs/common';
import { LabConfig, LabConfigModule } from '@app/config';
import { GatewayTelemetry, TracingLifecycle } from '@app/telemetry';
import { AuthController } from './auth/auth.controller';
import { CartController } from './cart/cart.controller';
import { ProductsController } from './catalog/products.controller';
import { HealthController } from './health/health.controller';
import { HttpErrorFilter } from './http/http-error.filter';
import { AdminGuard } from './lab/admin.guard';
import { LabController } from './lab/lab.controller';
import { ReplicaPool } from './replicas/replica-pool';
import { SupervisorLink } from './replicas/supervisor-link';
import { SessionCookies } from './sessions/session-cookie';
import { SessionRegistry } from './sessions/session-registry';
import { SessionResolver } from './sessions/session-resolver';

/** The HTTP edge: validates input, resolves sessions, routes every call to a replica. */
@Module({})
export class GatewayModule {
  static register(config: LabConfig, telemetry: GatewayTelemetry): DynamicModule {
    const registry = new SessionRegistry(config.sessionTtlSeconds * 1000);
    telemetry.trackKnownSessions(() => registry.size);
    return {
      module: GatewayModule,
      imports: [LabConfigModule.forRoot(config)],
      controllers: [AuthController, ProductsController, CartController, LabController, HealthController],
      providers: [
        { provide: GatewayTelemetry, useValue: telemetry },
        { provide: SessionCookies, useValue: new SessionCookies(config.sessionSecret, config.sessionTtlSeconds) },
        { provide: SessionRegistry, useValue: registry },
        SessionResolver,
        ReplicaPool,
        SupervisorLink,
        AdminGuard,
        TracingLifecycle,
        {
          provide: APP_PIPE,
          useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }),
        },
        { provide: APP_FILTER, useClass: HttpErrorFilter },
      ],
    };
  }
}
