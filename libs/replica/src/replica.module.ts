import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { LabConfigModule } from '@app/config';
import { STORE_OBSERVER } from '@app/state';
import { ReplicaTelemetry } from '@app/telemetry';
import { RpcTraceInterceptor, TracingLifecycle } from '@app/telemetry';
import { ReplicaLabController } from './replica-lab.controller';
import { RpcErrorFilter } from './rpc-exception.filter';
import { RpcMetricsInterceptor } from './rpc-metrics.interceptor';
import { rpcValidationPipe } from './rpc-validation.pipe';
import { REPLICA_ADDRESS, ReplicaContext } from './replica.tokens';

/**
 * What every replica shares: config, identity, telemetry (also the store observer), the
 * lab controller, and the one validation/error/trace path of the TCP hop.
 */
@Global()
@Module({})
export class ReplicaModule {
  static register(context: ReplicaContext, telemetry: ReplicaTelemetry): DynamicModule {
    return {
      module: ReplicaModule,
      imports: [LabConfigModule.forRoot(context.config)],
      controllers: [ReplicaLabController],
      providers: [
        { provide: REPLICA_ADDRESS, useValue: context.address },
        { provide: ReplicaTelemetry, useValue: telemetry },
        { provide: STORE_OBSERVER, useValue: telemetry },
        TracingLifecycle,
        // Order matters: the trace interceptor runs first so the handler's span covers the rest.
        { provide: APP_INTERCEPTOR, useClass: RpcTraceInterceptor },
        { provide: APP_INTERCEPTOR, useClass: RpcMetricsInterceptor },
        { provide: APP_PIPE, useFactory: rpcValidationPipe },
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
      exports: [REPLICA_ADDRESS, ReplicaTelemetry, STORE_OBSERVER],
    };
  }
}
