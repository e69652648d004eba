import { Inject, Injectable } from '@nestjs/common';
import { LAB_CONFIG, LabConfig, ServiceName } from '@app/config';
import { ErrorCodes } from '@app/contracts';
import { NoReplicaError } from '@app/routing';
import { rpcClientSpanName, RpcOutcome, withClientSpan } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import type { RequestHop } from '../http/request-hop';
import { mapHopFailure } from './hop-errors';
import { ReplicaDirectory } from './replica-directory';
import { ReplicaHealthChecks } from './replica-health';
import { ReplicaLink } from './replica-link';
import { ReplicaRouter } from './replica-router';

/**
 * Makes calls over the hop: routes a call to a replica, sends it on that replica's connection
 * (inside a CLIENT span when tracing is on), times it, and turns a failure into the HTTP error
 * the client gets. Request handlers reach it through their RequestHop, which also records who
 * served the request.
 */
@Injectable()
export class ReplicaCaller {
  constructor(
    @Inject(LAB_CONFIG) private readonly config: LabConfig,
    private readonly router: ReplicaRouter,
    private readonly directory: ReplicaDirectory,
    private readonly health: ReplicaHealthChecks,
  ) {}

  /** Routes the call (by `key` under sticky routing) and records the replica in the request's `servedBy`. */
  call<T>(hop: RequestHop, service: ServiceName, pattern: string, data: unknown, key?: string): Promise<T> {
    let link: ReplicaLink;
    try {
      link = this.router.pick(service, key, hop);
    } catch (error) {
      if (error instanceof NoReplicaError) throw new LabHttpException(503, ErrorCodes.replicaUnavailable, `no ${service} replica to route to`);
      throw error;
    }
    hop.servedBy.push(link.id);
    if (link.restarting)
      throw new LabHttpException(503, ErrorCodes.replicaRestarting, `${link.id} is restarting with its state handed over; retry in a moment`, 1);
    link.seriesFor(pattern).countRouted();
    return this.send<T>(link, pattern, data, this.config.rpcTimeoutMs, hop);
  }

  /** Calls one named replica, bypassing routing (lab control). */
  callReplica<T>(id: string, pattern: string, data: unknown, timeoutMs = this.config.rpcTimeoutMs): Promise<T> {
    const link = this.directory.find(id);
    if (!link) throw new LabHttpException(404, ErrorCodes.notFound, `no replica ${id.slice(0, 32)}`);
    return this.send<T>(link, pattern, data, timeoutMs);
  }

  private async send<T>(link: ReplicaLink, pattern: string, data: unknown, timeoutMs: number, hop?: RequestHop): Promise<T> {
    const started = process.hrtime.bigint();
    let outcome: RpcOutcome = 'ok';
    try {
      if (!hop?.trace) return await link.client.request<T>(pattern, data, { timeoutMs });
      return await withClientSpan(
        rpcClientSpanName(pattern),
        link.spanTargetFor(pattern),
        (trace) => link.client.request<T>(pattern, data, { timeoutMs, trace }),
        hop.trace.context,
      );
    } catch (error) {
      const failure = mapHopFailure(error, link.id, pattern);
      outcome = failure.outcome;
      if (failure.replicaDown) this.health.markDown(link);
      throw failure.exception;
    } finally {
      link.seriesFor(pattern).observe(outcome, Number(process.hrtime.bigint() - started) / 1e9, hop?.trace?.sampledTraceId);
    }
  }
}
