import { errorCode } from '../kit/http';
import { delay, mapLimit } from '../kit/wait';
import type { ProbeShopper } from './probe-shoppers';

/** The products a probe shopper adds, one line each, turn by turn (a cart holds 50 lines, 99 of each). */
const LINES_PER_PROBE = 40;

/** One pass of writes: every probe shopper adds one item. */
export interface WriteSweep {
  /** Wall-clock ms when the sweep started and ended. */
  startedAt: number;
  endedAt: number;
  total: number;
  /** Writes answered with anything but 201 (503 while Redis fails over, 401 when the session is gone), or not at all. */
  failed: number;
}

/** What a look at every probe cart found after the failure. */
export interface AcknowledgedCheck {
  /** Writes answered 201, over every probe (the placing add included). */
  acknowledged: number;
  /** Acknowledged adds whose quantity is missing from the cart afterwards (a lost session loses all of its own). */
  lost: number;
  /** Probe carts missing at least one acknowledged add. */
  cartsWithLoss: number;
  /** Probe sessions that answered 401 afterwards. */
  sessionsLost: number;
  /** Probes without a decisive answer even after retries. */
  unknown: number;
}

interface ProbeLedger {
  probe: ProbeShopper;
  /** productId → quantity acknowledged (201) so far. */
  acknowledged: Map<string, number>;
  next: number;
}

/**
 * Keeps writing to every probe shopper's cart in sweeps (each probe adds one item per sweep, the
 * probes 8 at a time) and remembers each acknowledged (201) add, so that after a failover every
 * cart can be re-read and compared: an acknowledged add missing from the cart is a lost write.
 * The sweeps also tell when writes succeed again, and what share of sessions could not write.
 */
export class AcknowledgedWriter {
  readonly sweeps: WriteSweep[] = [];
  private readonly ledgers: ProbeLedger[];
  private running: Promise<void> | undefined;
  private readonly stopper = new AbortController();

  constructor(
    probes: readonly ProbeShopper[],
    private readonly options: { intervalMs?: number; timeoutMs?: number } = {},
  ) {
    this.ledgers = probes.map((probe) => ({ probe, acknowledged: new Map([[probe.productId, probe.quantity]]), next: 1 }));
  }

  /** Starts sweeping until stop(); a sweep never outlives its requests' timeout. */
  start(): void {
    this.running ??= (async () => {
      while (!this.stopper.signal.aborted) {
        const startedAt = Date.now();
        const outcomes = await mapLimit(this.ledgers, 8, (ledger) => this.write(ledger));
        this.sweeps.push({ startedAt, endedAt: Date.now(), total: outcomes.length, failed: outcomes.filter((ok) => !ok).length });
        await delay(this.options.intervalMs ?? 100, this.stopper.signal);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopper.abort();
    await this.running;
  }

  /** The end of the first sweep that started after `sinceMs` with every write acknowledged, once there is one. */
  recoveredAt(sinceMs: number): number | undefined {
    return this.sweeps.find((sweep) => sweep.startedAt >= sinceMs && sweep.failed === 0)?.endedAt;
  }

  /** The largest share of probe sessions that could not write in one sweep from `fromMs` to `toMs`. */
  unavailableShare(fromMs: number, toMs: number): number {
    const window = this.sweeps.filter((sweep) => sweep.startedAt >= fromMs && sweep.startedAt <= toMs);
    return Math.max(0, ...window.map((sweep) => sweep.failed / Math.max(1, sweep.total)));
  }

  /** Failed writes from `fromMs` on. */
  failuresSince(fromMs: number): number {
    return this.sweeps.filter((sweep) => sweep.startedAt >= fromMs).reduce((sum, sweep) => sum + sweep.failed, 0);
  }

  /** Re-reads every probe cart (undecided answers retried after `beforeRetry`) and compares it with what was acknowledged. */
  async check(beforeRetry: () => Promise<unknown>): Promise<AcknowledgedCheck> {
    const result: AcknowledgedCheck = { acknowledged: 0, lost: 0, cartsWithLoss: 0, sessionsLost: 0, unknown: 0 };
    await mapLimit(this.ledgers, 8, async (ledger) => {
      const acknowledged = [...ledger.acknowledged.values()].reduce((sum, quantity) => sum + quantity, 0);
      result.acknowledged += acknowledged;
      let cart: Map<string, number> | 'lost' | undefined;
      for (let attempt = 1; attempt <= 3 && cart === undefined; attempt++) {
        if (attempt > 1) await beforeRetry();
        cart = await this.read(ledger.probe);
      }
      if (cart === undefined) return void result.unknown++;
      if (cart === 'lost') {
        result.sessionsLost++;
        result.cartsWithLoss++;
        result.lost += acknowledged;
        return;
      }
      let missing = 0;
      for (const [productId, quantity] of ledger.acknowledged) missing += Math.max(0, quantity - (cart.get(productId) ?? 0));
      result.lost += missing;
      if (missing > 0) result.cartsWithLoss++;
    });
    return result;
  }

  private async write(ledger: ProbeLedger): Promise<boolean> {
    const productId = productFor(ledger.probe.productId, ledger.next);
    try {
      const reply = await ledger.probe.shopper.post('/api/cart/items', { productId, quantity: 1 }, { timeoutMs: this.options.timeoutMs ?? 2000 });
      if (reply.status !== 201) return false;
      ledger.acknowledged.set(productId, (ledger.acknowledged.get(productId) ?? 0) + 1);
      ledger.next++;
      return true;
    } catch {
      return false;
    }
  }

  private async read(probe: ProbeShopper): Promise<Map<string, number> | 'lost' | undefined> {
    try {
      const reply = await probe.shopper.get<{ items?: { productId: string; quantity: number }[] }>('/api/cart', { timeoutMs: 5000 });
      if (reply.status === 401 && errorCode(reply) !== undefined) return 'lost';
      if (reply.status !== 200) return undefined;
      return new Map((reply.body?.items ?? []).map((item) => [item.productId, item.quantity]));
    } catch {
      return undefined;
    }
  }
}

/** The n-th product a probe adds: its first line's product, then 39 others, round and round (distinct within a probe). */
export function productFor(firstProductId: string, n: number): string {
  const first = Number(firstProductId.slice(2)) - 1;
  return `p-${((first + (n % LINES_PER_PROBE) * 11) % 500) + 1}`;
}
