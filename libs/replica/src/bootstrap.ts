import { DynamicModule, INestMicroservice, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  configFromProcessEnv,
  exitWithParent,
  LabConfig,
  loadHopSecret,
  loadLabConfig,
  loadReplicaIdentity,
  loadTelemetryConfig,
  replicaAddress,
  ServiceName,
} from '@app/config';
import { ReplicaTelemetry } from '@app/telemetry';
import { LabTcpServer } from '@app/transport';
import { ReplicaFaultState } from './replica-faults';
import { ReplicaModule } from './replica.module';
import { ReplicaContext } from './replica.tokens';

/** Nest log levels for LOG_LEVEL; `info` keeps Nest's boot chatter out, `debug` shows it. */
export function nestLogLevels(level: LabConfig['logLevel']): LogLevel[] {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug'];
  const upTo = { error: 1, warn: 2, info: 2, debug: 4 }[level];
  return order.slice(0, upTo + 1);
}

/** One line on stdout, shown at LOG_LEVEL info and debug. */
export function announce(config: LabConfig, line: string): void {
  if (config.logLevel === 'info' || config.logLevel === 'debug') process.stdout.write(`${line}\n`);
}

/**
 * Boots one replica process: validated config first, then a Nest microservice that listens for
 * the hop (LabTcpServer) on its rpc port, and serves /metrics, /healthz and /readyz on its
 * metrics port (ReplicaHttpServer).
 */
export async function bootstrapReplica(service: ServiceName, serviceModule: (context: ReplicaContext) => DynamicModule): Promise<INestMicroservice> {
  exitWithParent();
  const config = configFromProcessEnv(loadLabConfig);
  const telemetryConfig = configFromProcessEnv(loadTelemetryConfig);
  const identity = configFromProcessEnv((env) => loadReplicaIdentity(env, service));
  const secret = configFromProcessEnv((env) => loadHopSecret(env));
  const address = replicaAddress(config, service, identity.index);
  const context: ReplicaContext = { config, address, hopSecret: secret };
  const telemetry = new ReplicaTelemetry({ service, replica: address.id, mode: config.stateMode, routing: config.routing }, telemetryConfig.metricsEnabled);

  const faults = new ReplicaFaultState();

  const app = await NestFactory.createMicroservice(
    {
      module: class ReplicaRootModule {},
      imports: [ReplicaModule.register(context, telemetry, faults), serviceModule(context)],
    },
    {
      strategy: new LabTcpServer({
        host: config.bindHost,
        port: address.rpcPort,
        secret,
        observer: telemetry,
        beforeCall: (pattern) => faults.beforeCall(pattern),
        afterCall: (pattern) => faults.afterCall(pattern),
      }),
      logger: nestLogLevels(config.logLevel),
      bufferLogs: false,
    },
  );
  app.enableShutdownHooks();
  await app.listen();
  announce(
    config,
    `${address.id} ready (pid ${process.pid}, ${config.stateMode} mode): rpc ${config.bindHost}:${address.rpcPort}, metrics http://${config.bindHost}:${address.metricsPort}/metrics`,
  );
  return app;
}

/** A process that cannot boot (port taken, bad fixture) says why on one line and exits. */
export function exitOnBootFailure(error: unknown): never {
  process.stderr.write(`statelab: failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
