import type { LoginLimits } from '@app/config';

interface Window {
  startedAt: number;
  failures: number;
}

/**
 * Counts failed logins per account and per client address in fixed windows and says how long a
 * caller must wait once either has used up its allowance (429 with Retry-After). Only failures
 * count, so a crowd of shoppers behind one address logging in with good passwords is never
 * throttled, while guessing one account's password, or many accounts' from one address, is.
 * Kept in the gateway's memory, bounded, oldest first out: security bookkeeping, not session
 * state (with several gateways each would count its own share).
 */
export class LoginThrottle {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: LoginLimits,
    private readonly now: () => number = Date.now,
    private readonly capacity = 100_000,
  ) {}

  /** Seconds until the account and the client may try again; 0 when they may now. */
  retryAfterSeconds(username: string, client: string): number {
    return Math.max(this.wait(`account:${username}`, this.limits.failuresPerAccount), this.wait(`client:${client}`, this.limits.failuresPerClient));
  }

  recordFailure(username: string, client: string): void {
    this.count(`account:${username}`);
    this.count(`client:${client}`);
  }

  /** A good password clears the account's failures (not the client's). */
  recordSuccess(username: string): void {
    this.windows.delete(`account:${username}`);
  }

  private wait(key: string, allowed: number): number {
    const window = this.current(key);
    if (!window || window.failures < allowed) return 0;
    return Math.max(1, Math.ceil((window.startedAt + this.limits.windowSeconds * 1000 - this.now()) / 1000));
  }

  private count(key: string): void {
    const window = this.current(key) ?? { startedAt: this.now(), failures: 0 };
    window.failures++;
    this.windows.delete(key);
    this.windows.set(key, window);
    if (this.windows.size > this.capacity) this.windows.delete(this.windows.keys().next().value as string);
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.startedAt >= this.limits.windowSeconds * 1000) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}
