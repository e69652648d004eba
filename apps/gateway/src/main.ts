import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { configFromProcessEnv, exitWithParent, loadHopSecret, loadLabConfig, loadTelemetryConfig } from '@app/config';
import { announce, exitOnBootFailure, nestLogLevels } from '@app/replica';
import { GatewayTelemetry } from '@app/telemetry';
import { GatewayModule } from './gateway.module';
import { installRequestHop } from './http/request-hop';
import { frameworkErrors, installJsonBodyParser, validatorCompiler } from './http/request-parsing';
import { ReplicaCaller } from './replicas/replica-caller';

async function bootstrap(): Promise<void> {
  exitWithParent();
  const config = configFromProcessEnv(loadLabConfig);
  const telemetryConfig = configFromProcessEnv(loadTelemetryConfig);
  const hopSecret = configFromProcessEnv((env) => loadHopSecret(env));
  const telemetry = new GatewayTelemetry(
    { service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing },
    telemetryConfig.metricsEnabled,
  );
  const adapter = new FastifyAdapter({ bodyLimit: 16 * 1024, frameworkErrors });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config, hopSecret, telemetry), adapter, {
    logger: nestLogLevels(config.logLevel),
    bodyParser: false, // JSON only, through installJsonBodyParser
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.setValidatorCompiler(validatorCompiler);
  installJsonBodyParser(fastify);
  installRequestHop(fastify, app.get(ReplicaCaller), telemetry);
  app.enableShutdownHooks();
  await app.listen(config.gatewayPort, config.bindHost);
  announce(config, `gateway ready on http://${config.bindHost}:${config.gatewayPort} (${config.stateMode} mode, ${config.routing} routing)`);
}

bootstrap().catch(exitOnBootFailure);
