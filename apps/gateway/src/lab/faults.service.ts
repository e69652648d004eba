import { Injectable } from '@nestjs/common';
import { SERVICES } from '@app/config';
import { ErrorCodes, FaultDescription, faultSpec, faultsFor, FAULTS, HANG_FAULT, ReplicaFaults } from '@app/contracts';
import { GatewayTelemetry } from '@app/telemetry';
import { LabHttpException } from '../http/lab-http.exception';
import { ReplicaDirectory } from '../replicas/replica-directory';

/**
 * The faults the lab injects (`/lab/faults`). The gateway holds their values; every replica
 * gets the ones that concern it with each health check (ReplicaHealthChecks), so a change
 * reaches the replicas within a health round (the API triggers one at once) and a restarted
 * replica is back under the same faults within a second. `lab_fault_active{fault}` carries
 * each value for the dashboards' annotations.
 */
@Injectable()
export class FaultsService {
  private readonly values = new Map<string, number>();

  constructor(
    private readonly directory: ReplicaDirectory,
    private readonly telemetry: GatewayTelemetry,
  ) {
    for (const name of Object.keys(FAULTS)) this.telemetry.setFaultActive(name, 0);
  }

  list(): FaultDescription[] {
    const fixed = Object.entries(FAULTS).map(([name, spec]) => ({ name, value: this.values.get(name) ?? 0, ...spec }));
    const hangs = this.replicaIds().map((id) => ({ name: `hang.${id}`, value: this.values.get(`hang.${id}`) ?? 0, ...HANG_FAULT }));
    return [...fixed, ...hangs];
  }

  /** Sets one fault; 0 turns it off. 404 for an unknown name, 400 for a value out of its range. */
  set(name: string, value: number): FaultDescription {
    const spec = faultSpec(name, this.replicaIds());
    if (!spec) throw new LabHttpException(404, ErrorCodes.unknownFault, `no fault ${name.slice(0, 64)}; GET /lab/faults lists them`);
    if (!Number.isFinite(value) || value < 0 || value > spec.max || (spec.unit === 'on' && !Number.isInteger(value))) {
      throw new LabHttpException(400, ErrorCodes.badRequest, `${name} takes a value from 0 to ${spec.max}${spec.unit === 'on' ? ' (0 off, 1 on)' : ` ${spec.unit}`}`);
    }
    if (value === 0) this.values.delete(name);
    else this.values.set(name, value);
    this.telemetry.setFaultActive(name, value);
    return { name, value, ...spec };
  }

  reset(): void {
    for (const name of this.values.keys()) this.telemetry.setFaultActive(name, 0);
    this.values.clear();
  }

  /** What the replica with this id must apply now. */
  forReplica(id: string): ReplicaFaults {
    return faultsFor(id, this.values);
  }

  private replicaIds(): string[] {
    return SERVICES.flatMap((service) => this.directory.view(service).map((view) => view.link.id));
  }
}
