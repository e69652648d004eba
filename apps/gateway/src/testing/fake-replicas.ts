import { LabConfig, loadLabConfig, ServiceName } from '@app/config';
import { GatewayTelemetry } from '@app/telemetry';
import { RequestHop } from '../http/request-hop';
import { FaultsService } from '../lab/faults.service';
import { ReplicaCaller } from '../replicas/replica-caller';
import { ReplicaDirectory } from '../replicas/replica-directory';
import { ReplicaHealthChecks } from '../replicas/replica-health';
import { ReplicaLink } from '../replicas/replica-link';
import { ReplicaRouter } from '../replicas/replica-router';

/** What a fake replica answers: a value, or a rejection (a LabErrorBody, a HopError, …). */
export type FakeAnswer = (pattern: string, data: unknown) => unknown;

/**
 * The gateway's replica side wired as in the app (directory, router, health, caller) with every
 * link's client replaced by a fake that answers in-process: unit specs exercise the gateway's
 * own pieces against it, no process and no socket involved.
 */
export interface FakeReplicas {
  config: LabConfig;
  telemetry: GatewayTelemetry;
  directory: ReplicaDirectory;
  router: ReplicaRouter;
  health: ReplicaHealthChecks;
  faults: FaultsService;
  caller: ReplicaCaller;
  /** Every call the fakes received, in order: [replica id, pattern, data]. */
  calls: Array<[string, string, unknown]>;
  /** Sets what the replicas of a service (or one replica, by id) answer. */
  answer(target: ServiceName | string, answer: FakeAnswer): void;
  /** A fresh RequestHop, as the gateway makes one per request. */
  hop(): RequestHop;
  link(id: string): ReplicaLink;
}

export function fakeReplicas(env: Record<string, string> = {}): FakeReplicas {
  const config = loadLabConfig(env);
  const telemetry = new GatewayTelemetry({ service: 'gateway', replica: 'gateway', mode: config.stateMode, routing: config.routing }, true);
  const directory = new ReplicaDirectory(config, 'a-test-hop-secret-that-is-long-enough', telemetry);
  const router = new ReplicaRouter(directory, telemetry);
  const faults = new FaultsService(directory, telemetry);
  const health = new ReplicaHealthChecks(directory, telemetry, faults);
  const caller = new ReplicaCaller(config, router, directory, health);
  const calls: FakeReplicas['calls'] = [];
  const answers = new Map<string, FakeAnswer>();
  const wired = new WeakSet<ReplicaLink>();
  const wire = (link: ReplicaLink) => {
    if (wired.has(link)) return;
    wired.add(link);
    link.up = true;
    link.client.request = (async (pattern: string, data: unknown) => {
      calls.push([link.id, pattern, data]);
      const answer = answers.get(link.id) ?? answers.get(link.address.service) ?? (() => null);
      return answer(pattern, data);
    }) as typeof link.client.request;
  };
  for (const link of directory.all()) wire(link);
  const ensureLinks = directory.ensureLinks.bind(directory);
  directory.ensureLinks = (service, count) => {
    ensureLinks(service, count);
    for (const link of directory.all()) wire(link);
  };
  return {
    config,
    telemetry,
    directory,
    router,
    health,
    faults,
    caller,
    calls,
    answer: (target, answer) => answers.set(target, answer),
    hop: () => new RequestHop(caller),
    link: (id) => directory.find(id) as ReplicaLink,
  };
}
