import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { LAB_CONFIG, LabConfig, ReplicaAddress } from '@app/config';
import { ReplicaTelemetry } from '@app/telemetry';
import { ReplicaHealthService } from './replica-health';
import { REPLICA_ADDRESS } from './replica.tokens';

/**
 * A replica's HTTP side, on its metrics port: `/metrics` for Prometheus, `/healthz` (the process
 * runs) and `/readyz` (and its store answers) for probes. Plain node:http: three fixed routes do
 * not need a web framework in every replica process.
 */
@Injectable()
export class ReplicaHttpServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ReplicaHttpServer');
  private server: Server | undefined;

  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    @Inject(REPLICA_ADDRESS) private readonly address: ReplicaAddress,
    private readonly telemetry: ReplicaTelemetry,
    private readonly health: ReplicaHealthService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: Error) => {
        this.logger.error(`${request.url}: ${error.message}`);
        if (!response.headersSent) send(response, 500, { error: { code: 'internal_error', message: 'internal error' } });
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.address.metricsPort, this.config.bindHost, () => resolve());
    });
  }

  onApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: { code: 'method_not_allowed', message: 'GET only' } });
    if (path === '/metrics') {
      const body = await this.telemetry.metrics.render();
      response.writeHead(200, { 'content-type': this.telemetry.metrics.contentType });
      response.end(body);
      return;
    }
    if (path === '/healthz') return send(response, 200, { status: 'ok', id: this.address.id });
    if (path === '/readyz') {
      const health = await this.health.describe();
      return send(response, health.store === 'down' ? 503 : 200, health);
    }
    send(response, 404, { error: { code: 'not_found', message: 'not found' } });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  response.end(JSON.stringify(body));
}
