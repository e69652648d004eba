/**
 * Replica selection for the gateway's client-side load balancing: which replica of a
 * service serves a request, and how many keys change owner when replicas come and go.
 * @packageDocumentation
 */

/** Unsigned 32-bit FNV-1a + fmix32 string hash shared by the sticky selectors. */
export { hash32 } from './hash';

/** The selector contract, the sticky subset of routings, and the empty-member error. */
export type { ReplicaSelector, StickyRouting } from './selectors';
export { NoReplicaError } from './selectors';

/** The three selectors behind `round-robin`, `sticky-modulo` and `sticky-ring`. */
export { RoundRobinSelector, ModuloSelector, RendezvousSelector } from './selectors';

/** Selector factory for a configured routing, and the test of whether it pins keys. */
export { createSelector, isSticky } from './selectors';

/** Key ownership and how much of it a membership change moves. */
export type { MovedKeys } from './selectors';
export { ownerOf, countMovedKeys } from './selectors';
