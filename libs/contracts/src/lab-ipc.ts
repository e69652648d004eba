/**
 * Gateway → native launcher over Node IPC: run exactly these replicas (by index, from 1) of a
 * service, starting the missing ones (empty) and stopping the others (their memory goes with
 * them, as a scaled-down pod's does). A rescale asks for 1..n; a blue-green switch asks for the
 * old and the new set together, then for the new set alone.
 */
export type SupervisorRequest = { type: 'set-replicas'; requestId: number; service: 'user' | 'cart' | 'product' | 'chat'; indices: number[] };
/** Launcher → gateway: the replicas run (or why not). */
export type SupervisorReply = { type: 'set-replicas-done'; requestId: number; ok: boolean; error?: string };
