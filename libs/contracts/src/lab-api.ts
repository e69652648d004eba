/** Answers of the gateway's lab control API (`/lab/*`), shared by the gateway and the tools. */

/** One replica in `GET /lab/topology`. */
export interface TopologyReplica {
  id: string;
  /** host:rpcPort */
  address: string;
  metricsUrl: string;
  /** Answered the gateway's last health check. */
  up: boolean;
  /** The gateway routes to it. */
  active: boolean;
  /** Being drained for a restart (`POST /lab/replicas/:id/restart` with `drain` or `handoff`): no new session lands on it. */
  draining?: boolean;
  pid?: number;
  startedAt?: string;
  /** Sessions (user) or carts (cart) it holds at the last health check; `shared` in redis mode. */
  held?: { count: number; shared: boolean };
}

/** `GET /lab/topology`. */
export interface Topology {
  mode: string;
  routing: string;
  services: Record<'user' | 'cart' | 'product' | 'chat', TopologyReplica[]>;
}

/** `POST /lab/replicas/:id/crash` (202). */
export interface CrashResult {
  id: string;
  pid: number;
  crashed: true;
}

/** `POST /lab/scale`: how many known session keys changed owner. */
export interface ScaleResult {
  service: 'user' | 'cart' | 'product' | 'chat';
  routing: string;
  from: number;
  to: number;
  knownKeys: number;
  keysMoved: number;
  keysMovedRatio: number;
}

/** How `POST /lab/replicas/:id/restart` restarts a replica (a deploy's step). */
export const RESTART_STYLES = ['kill', 'drain', 'handoff'] as const;
export type RestartStyle = (typeof RESTART_STYLES)[number];

/** `POST /lab/replicas/:id/restart`: what one restart did. */
export interface RestartResult {
  id: string;
  style: RestartStyle;
  pidBefore: number;
  pidAfter: number;
  /** drain: how long the gateway waited for the replica's sessions/carts and calls to end. */
  drainedMs: number;
  /** Entries (sessions or carts) the replica still held when it stopped; `null` when they live in Redis. */
  heldAtStop: number | null;
  /** handoff: entries the restarted replica took from its predecessor. */
  handedOff: number;
  /** From the request until the new process answered and routing to it resumed. */
  tookMs: number;
}

/** `POST /lab/blue-green`: every user and cart replica replaced by a fresh set at once. */
export interface BlueGreenResult {
  /** Replica ids that served before the switch, and after it. */
  blue: string[];
  green: string[];
  /** From the request until the green set answered (started beside the blue one). */
  greenReadyMs: number;
  /** Entries the blue set held when it stopped; `null` when they live in Redis. */
  heldAtSwitch: number | null;
  tookMs: number;
}

/** A replica's answer to `lab.handoff-export`: its entries (opaque to the gateway), or `shared` when they live in Redis. */
export type HandoffExport = { shared: true } | { shared: false; snapshot: unknown; entries: number };
