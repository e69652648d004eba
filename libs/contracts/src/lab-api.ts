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
