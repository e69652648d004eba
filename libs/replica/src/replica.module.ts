import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LabConfigModule } from '@app/config';
import { STATE_GAUGES, STORE_OBSERVER } from '@app/state';
import { ReplicaTelemetry, TracingLifecycle } from '@app/telemetry';
import { ReplicaHealthService } from './replica-health';
import { ReplicaHttpServer } from './replica-http.server';
import { ReplicaLabController } from './replica-lab.controller';
import { RpcErrorFilter } from './rpc-error.filter';
import { REPLICA_ADDRESS, ReplicaContext } from './replica.tokens';

/**
 * What every replica shares: config, identity, telemetry (also the store observer and where
 * StateModule registers the state gauges), health, the metrics/probe HTTP server, the lab's
 * message handlers, and the one error path of the hop. No interceptors or pipes run per message: the transport times and traces each call, and
 * the gateway validated the input at the edge.
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
        { provide: STATE_GAUGES, useValue: telemetry },
        ReplicaHealthService,
        ReplicaHttpServer,
        TracingLifecycle,
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
      exports: [REPLICA_ADDRESS, ReplicaTelemetry, STORE_OBSERVER, STATE_GAUGES],
    };
  }
}
