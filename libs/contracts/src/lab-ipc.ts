import type { ServiceName } from '@app/config';

/** Gateway → native launcher over Node IPC: start replicas 1..count of a service. */
export type SupervisorRequest = { type: 'ensure-replicas'; requestId: number; service: ServiceName; count: number };
/** Launcher → gateway: the replicas were started (or why not). */
export type SupervisorReply = { type: 'ensure-replicas-done'; requestId: number; ok: boolean; error?: string };
