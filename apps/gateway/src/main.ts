import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { configFromProcessEnv, exitWithParent, loadLabConfig, loadTelemetryConfig } from '@app/config';
import { announce, exitOnBootFailure, nestLogLevels } from '@app/replica';
import { GatewayTelemetry } from '@app/telemetry';
import { GatewayModule } from './gateway.module';
import { frameworkErrors, installJsonBodyParser } from './http/request-parsing';
import { installServedByHeader } from './http/served-by';

async function bootstrap(): Promise<void> {
  exitWithParent();
  const config = configFromProcessEnv(loadLabConfig);
  const telemetryConfig = configFromProcessEnv(loadTelemetryConfig);
  const telemetry = new GatewayTelemetry(
    { service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing },
    telemetryConfig.metricsEnabled,
  );
  const adapter = new FastifyAdapter({ bodyLimit: 16 * 1024, frameworkErrors });
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config, telemetry), adapter, {
    logger: nestLogLevels(config.logLevel),
    bodyParser: false, // JSON only, through installJsonBodyParser
  });
  const fastify = app.getHttpAdapter().getInstance();
  installServedByHeader(fastify);
  installJsonBodyParser(fastify);
  fastify.addHook('onResponse', (request, reply, done) => {
    telemetry.recordHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  app.enableShutdownHooks();
  await app.listen(config.gatewayPort, config.bindHost);
  announce(config, `gateway ready on http://${config.bindHost}:${config.gatewayPort} (${config.stateMode} mode, ${config.routing} routing)`);
}

bootstrap().catch(exitOnBootFailure);
