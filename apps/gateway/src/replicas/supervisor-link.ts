import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ServiceName } from '@app/config';
import { SupervisorReply, SupervisorRequest } from '@app/contracts';

/**
 * Asks the native launcher, over the IPC channel it opened, to start the replicas a rescale up
 * needs and to stop the ones a rescale down removes. Under compose or Kubernetes there is no
 * channel: the replicas must already exist, and the gateway resets removed ones instead.
 */
@Injectable()
export class SupervisorLink implements OnApplicationShutdown {
  private nextId = 1;
  private readonly pending = new Map<number, (reply: SupervisorReply) => void>();
  private readonly onMessage = (message: unknown) => {
    const reply = message as SupervisorReply;
    if (reply?.type === 'set-replicas-done') this.pending.get(reply.requestId)?.(reply);
  };

  constructor() {
    if (this.available) process.on('message', this.onMessage);
  }

  get available(): boolean {
    return typeof process.send === 'function' && process.connected;
  }

  /** Resolves when the launcher reports exactly these replicas (indices from 1) of the service running. */
  setReplicas(service: ServiceName, indices: number[], timeoutMs = 30000): Promise<void> {
    if (!this.available) return Promise.resolve();
    const requestId = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error(`the launcher did not run ${service} replicas ${indices.join(', ')} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(requestId, (reply) => {
        clearTimeout(timer);
        this.pending.delete(requestId);
        if (reply.ok) resolve();
        else reject(new Error(reply.error ?? 'the launcher refused'));
      });
      const request: SupervisorRequest = { type: 'set-replicas', requestId, service, indices };
      process.send?.(request);
    });
  }

  onApplicationShutdown(): void {
    process.off('message', this.onMessage);
  }
}
