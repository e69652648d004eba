import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { LabConfigModule } from '@app/config';
import { STATE_GAUGES, STORE_OBSERVER, StoreObserver } from '@app/state';
import { ReplicaTelemetry, TracingLifecycle } from '@app/telemetry';
import { ReplicaFaultState } from './replica-faults';
import { ReplicaHealthService } from './replica-health';
import { ReplicaHttpServer } from './replica-http.server';
import { ReplicaLabController } from './replica-lab.controller';
import { RpcErrorFilter } from './rpc-error.filter';
import { REPLICA_ADDRESS, ReplicaContext } from './replica.tokens';

/**
 * What every replica shares: config, identity, telemetry (also the store observer and where
 * StateModule registers the state gauges), the faults the lab injects, health, the
 * metrics/probe HTTP server, the lab's message handlers, and the one error path of the hop. No
 * interceptors or pipes run per message: the transport times, traces and gates each call, and
 * the gateway validated the input at the edge.
 */
@Global()
@Module({})
export class ReplicaModule {
  static register(context: ReplicaContext, telemetry: ReplicaTelemetry, faults: ReplicaFaultState): DynamicModule {
    // Every store call is timed, and slowed by the lab's `latency.redis` fault when it is on.
    const storeObserver: StoreObserver = {
      observe: (store, operation, seconds, traceId) => telemetry.observe(store, operation, seconds, traceId),
      injectedLatencyMs: () => faults.storeLatencyMs(),
    };
    return {
      module: ReplicaModule,
      imports: [LabConfigModule.forRoot(context.config)],
      controllers: [ReplicaLabController],
      providers: [
        { provide: REPLICA_ADDRESS, useValue: context.address },
        { provide: ReplicaTelemetry, useValue: telemetry },
        { provide: STORE_OBSERVER, useValue: storeObserver },
        { provide: ReplicaFaultState, useValue: faults },
        { provide: STATE_GAUGES, useValue: telemetry },
        ReplicaHealthService,
        ReplicaHttpServer,
        TracingLifecycle,
        { provide: APP_FILTER, useClass: RpcErrorFilter },
      ],
      exports: [REPLICA_ADDRESS, ReplicaTelemetry, STORE_OBSERVER, STATE_GAUGES, ReplicaFaultState],
    };
  }
}
