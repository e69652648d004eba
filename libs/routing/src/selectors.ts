import type { Routing } from '@app/config';
import { FNV1A_SEED, fmix32, fnv1a, hash32 } from './hash';

/** The routings under which a key belongs to one replica. */
export type StickyRouting = 'sticky-modulo' | 'sticky-ring';

/** Chooses the replica that serves a request. */
export interface ReplicaSelector {
  /**
   * One of `members`, the ordered ids of the replicas currently routed to
   * (e.g. `['cart-1', 'cart-2', 'cart-3']`). `key` (a session or cart id) pins the request
   * to its owner under sticky routings; without a key every selector rotates.
   * @throws NoReplicaError when `members` is empty.
   */
  pick(members: readonly string[], key?: string): string;
}

/** Raised when there is no replica to route to: a case for 503, not 500, at the gateway. */
export class NoReplicaError extends Error {
  constructor() {
    super('cannot pick a replica: the member list is empty');
    this.name = 'NoReplicaError';
  }
}

function assertMembers(members: readonly string[]): void {
  if (members.length === 0) throw new NoReplicaError();
}

/** Sends successive requests to `members[0]`, `members[1]`, … and wraps; ignores the key. */
export class RoundRobinSelector implements ReplicaSelector {
  private next = 0;

  pick(members: readonly string[]): string {
    assertMembers(members);
    // Keeping the counter below the member count stops it growing without bound and lets
    // rotation carry on from the same place when the member list changes.
    const index = this.next % members.length;
    this.next = index + 1;
    return members[index];
  }
}

/** `members[hash32(key) % members.length]`: cheap, but a change in size moves most keys. */
export function moduloOwner(members: readonly string[], key: string): string {
  assertMembers(members);
  return members[hash32(key) % members.length];
}

/**
 * The member with the highest `hash32(key + '\0' + member)`; on equal scores the smaller id
 * wins, so the owner depends on the set of members, never on their order.
 */
export function rendezvousOwner(members: readonly string[], key: string): string {
  assertMembers(members);
  // FNV-1a is streaming: fold `key + '\0'` once and continue from that state per member,
  // which gives exactly hash32(key + '\0' + member) without building N strings.
  const prefix = fnv1a('\0', fnv1a(key, FNV1A_SEED));
  let best = members[0];
  let bestScore = fmix32(fnv1a(best, prefix));
  for (let i = 1; i < members.length; i++) {
    const member = members[i];
    const score = fmix32(fnv1a(member, prefix));
    if (score > bestScore || (score === bestScore && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}

/** Routing `sticky-modulo`: `members[hash32(key) % members.length]`; round-robin without a key. */
export class ModuloSelector implements ReplicaSelector {
  private readonly fallback = new RoundRobinSelector();

  pick(members: readonly string[], key?: string): string {
    return key === undefined ? this.fallback.pick(members) : moduloOwner(members, key);
  }
}

/**
 * Routing `sticky-ring`: rendezvous (highest-random-weight) hashing. Each member scores
 * `hash32(key + '\0' + member)` and the highest score owns the key; round-robin without a key.
 *
 * Why rendezvous rather than a consistent-hash ring, which the mode's name recalls:
 * - Minimal disruption, like a ring: adding a member takes over only the keys it now
 *   outscores (1/N' of them, spread evenly across the old members); removing a member moves
 *   only that member's keys, each to its runner-up. 3 -> 5 replicas moves ~40 % of keys, the
 *   minimum 1 - 3/5; modulo moves ~80 %.
 * - Exact balance in expectation, with no virtual nodes to tune: a ring's shares spread by
 *   roughly 1/sqrt(V) with V points per member (about 10 % at 100 points), and the points
 *   are rebuilt on every membership change; rendezvous has nothing to tune or rebuild.
 * - Any member may leave, not only the last one (jump hash, which also reaches the minimum,
 *   can only drop the highest bucket, so it cannot model a crashed `cart-2`).
 * - No dependency and no state: the owner is a pure function of the key and the member
 *   set, so every gateway instance agrees without coordination.
 * - O(N) hashes per pick instead of a ring's O(log NV) search; with N <= 16 replicas a pick
 *   costs well under a microsecond (routing.bench.ts), noise beside the TCP hop it routes.
 */
export class RendezvousSelector implements ReplicaSelector {
  private readonly fallback = new RoundRobinSelector();

  pick(members: readonly string[], key?: string): string {
    return key === undefined ? this.fallback.pick(members) : rendezvousOwner(members, key);
  }
}

/**
 * Whether `routing` pins a session key to one replica by its hash. `sticky-cookie` pins a
 * client by its `lb` cookie and `ip-hash` by its address: neither owns a session key.
 */
export function isSticky(routing: Routing): routing is StickyRouting {
  return routing === 'sticky-modulo' || routing === 'sticky-ring';
}

/** A fresh selector for `routing`; each carries its own round-robin counter. */
export function createSelector(routing: Routing): ReplicaSelector {
  switch (routing) {
    case 'round-robin':
      return new RoundRobinSelector();
    case 'sticky-modulo':
      return new ModuloSelector();
    case 'sticky-ring':
      return new RendezvousSelector();
    // The replica a new client gets; its `lb` cookie keeps it there (the gateway reads it).
    case 'sticky-cookie':
      return new RoundRobinSelector();
    // nginx's ip_hash: the key is the client address.
    case 'ip-hash':
      return new ModuloSelector();
    default:
      return unknownRouting(routing);
  }
}

function unknownRouting(routing: never): never {
  throw new Error(`unknown routing: ${String(routing)}`);
}

/**
 * The replica that owns session `key` under a sticky `routing`; undefined under round-robin,
 * sticky-cookie and ip-hash, where no replica owns a session key.
 * @throws NoReplicaError when `routing` is sticky and `members` is empty.
 */
export function ownerOf(routing: Routing, members: readonly string[], key: string): string | undefined {
  switch (routing) {
    case 'round-robin':
    case 'sticky-cookie':
    case 'ip-hash':
      return undefined;
    case 'sticky-modulo':
      return moduloOwner(members, key);
    case 'sticky-ring':
      return rendezvousOwner(members, key);
    default:
      return unknownRouting(routing);
  }
}

/** How many keys change owner when membership goes from one list to another. */
export interface MovedKeys {
  total: number;
  moved: number;
  /** moved / total; 0 when there are no keys. */
  ratio: number;
}

/**
 * Counts the `keys` whose owner under `routing` differs between `before` and `after`:
 * the state a stateful lab loses (sessions, carts) when replicas are added or removed.
 * Under round-robin nothing is owned, so nothing moves (`total` still counts the keys).
 */
export function countMovedKeys(
  routing: Routing,
  keys: Iterable<string>,
  before: readonly string[],
  after: readonly string[],
): MovedKeys {
  let total = 0;
  let moved = 0;
  const sticky = isSticky(routing);
  for (const key of keys) {
    total++;
    if (sticky && ownerOf(routing, before, key) !== ownerOf(routing, after, key)) moved++;
  }
  return { total, moved, ratio: total === 0 ? 0 : moved / total };
}
