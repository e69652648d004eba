import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configFromProcessEnv, exitWithParent, loadGatewayConfig, loadHopSecret, loadLabConfig, loadTelemetryConfig } from '@app/config';
import { announce, exitOnBootFailure, nestLogLevels } from '@app/replica';
import { GatewayTelemetry } from '@app/telemetry';
import { GatewayModule } from './gateway.module';
import { installRequestHop } from './http/request-hop';
import { createHttpAdapter, installSecurityHeaders } from './http/http-server';
import { installJsonBodyParser, validatorCompiler } from './http/request-parsing';
import { installLabAccessCheck } from './lab/lab-access';
import { LbCookies } from './replicas/lb-cookie';
import { ReplicaCaller } from './replicas/replica-caller';
import { WebSocketProxy } from './realtime/websocket-proxy';

async function bootstrap(): Promise<void> {
  exitWithParent();
  const config = configFromProcessEnv(loadLabConfig);
  const telemetryConfig = configFromProcessEnv(loadTelemetryConfig);
  const gatewayConfig = configFromProcessEnv(loadGatewayConfig);
  const hopSecret = configFromProcessEnv((env) => loadHopSecret(env));
  const telemetry = new GatewayTelemetry(
    { service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing },
    telemetryConfig.metricsEnabled,
  );
  const app = await NestFactory.create<NestFastifyApplication>(GatewayModule.register(config, gatewayConfig, hopSecret, telemetry), createHttpAdapter(gatewayConfig), {
    logger: nestLogLevels(config.logLevel),
    bodyParser: false, // JSON only, through installJsonBodyParser
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.setValidatorCompiler(validatorCompiler);
  installLabAccessCheck(fastify, config.adminToken);
  installSecurityHeaders(fastify);
  installJsonBodyParser(fastify);
  const lbCookies = config.routing === 'sticky-cookie' ? new LbCookies(gatewayConfig.sessionSecrets.current, gatewayConfig.cookieSecure) : undefined;
  installRequestHop(fastify, app.get(ReplicaCaller), telemetry, lbCookies);
  app.get(WebSocketProxy).attach(app.getHttpServer());
  app.enableShutdownHooks();
  await app.listen(config.gatewayPort, config.bindHost);
  announce(config, `gateway ready on http://${config.bindHost}:${config.gatewayPort} (${config.stateMode} mode, ${config.routing} routing)`);
}

bootstrap().catch(exitOnBootFailure);
