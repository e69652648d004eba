import { ErrorCodes, LabErrorBody, NO_FAULTS, ReplicaFaults } from '@app/contracts';
import type { CallGate } from '@app/transport';

const RESTARTING: LabErrorBody = {
  status: 503,
  code: ErrorCodes.replicaRestarting,
  message: 'this replica handed its state to its successor and is restarting; retry in a moment',
};

const INJECTED: LabErrorBody = { status: 500, code: ErrorCodes.injectedFailure, message: 'a failure injected by the lab (/lab/faults)' };

/**
 * The faults this replica applies right now (set by the gateway with every health check, so a
 * restarted replica picks them up within a second). The transport asks `beforeCall` before
 * each handler; the lab's own messages (`lab.*`) are never delayed, failed or hung, so health
 * checks keep answering: a hung replica looks alive and does nothing, as a real one does.
 */
export class ReplicaFaultState {
  private current: ReplicaFaults = NO_FAULTS;
  private closed = false;
  /** Service calls past the gate and not yet answered. */
  private active = 0;

  constructor(private readonly random: () => number = Math.random) {}

  get faults(): ReplicaFaults {
    return this.current;
  }

  apply(faults: ReplicaFaults): void {
    this.current = faults;
  }

  /** Undefined to run the handler at once, `hang` never to answer, else a promise that delays or fails the call. */
  beforeCall(pattern: string): CallGate {
    if (pattern.startsWith('lab.')) return undefined;
    const gate = this.gateFor();
    if (gate !== 'hang') this.active++;
    return gate;
  }

  /** A service call that passed beforeCall was answered. */
  afterCall(pattern: string): void {
    if (!pattern.startsWith('lab.')) this.active--;
  }

  /** Resolves once no service call is being handled (or after `timeoutMs`): a hand-off copies the state only then. */
  async whenIdle(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.active > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2));
  }

  private gateFor(): CallGate {
    if (this.closed) return Promise.reject(RESTARTING);
    const faults = this.current;
    if (faults === NO_FAULTS) return undefined;
    if (faults.hang) return 'hang';
    if (faults.failurePercent > 0 && this.random() * 100 < faults.failurePercent) return Promise.reject(INJECTED);
    if (faults.latencyMs > 0) return new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
    return undefined;
  }

  /** After a hand-off: every service call is refused from now on (the process is about to be replaced). */
  closeForRestart(): void {
    this.closed = true;
  }

  /** The delay a store call takes on top of its own (`latency.redis`), 0 when off. */
  storeLatencyMs(): number {
    return this.current.storeLatencyMs;
  }

  loginSlowMs(): number {
    return this.current.loginSlowMs;
  }
}
