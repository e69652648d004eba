/** How a call over the hop failed when the replica gave no answer. */
export type HopFailure = 'unavailable' | 'timeout';

/**
 * A call that got no answer. `sent` tells whether the request left this process: when it did
 * (the connection dropped or the replica stayed silent after the write), the replica may have
 * acted on it, so a write's outcome is unknown; when it did not (no connection), nothing
 * happened on the other side.
 */
export class HopError extends Error {
  constructor(
    readonly failure: HopFailure,
    readonly sent: boolean,
    message: string,
  ) {
    super(message);
    this.name = 'HopError';
  }
}
