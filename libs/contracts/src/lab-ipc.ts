/**
 * Gateway → native launcher over Node IPC: run exactly replicas 1..count of a service, starting
 * the missing ones (empty) and stopping the ones past count (their memory goes with them, as a
 * scaled-down pod's does).
 */
export type SupervisorRequest = { type: 'set-replicas'; requestId: number; service: 'user' | 'cart' | 'product' | 'chat'; count: number };
/** Launcher → gateway: the replicas run (or why not). */
export type SupervisorReply = { type: 'set-replicas-done'; requestId: number; ok: boolean; error?: string };
