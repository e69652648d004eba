import type { RedisClient } from './redis-client';
import { ExpiryGrid } from './expiry';
import { LUA_STAMPS, redisCall } from './redis-support';

/** KEYS: ledger. ARGV: from boundary or '', to boundary or '', lifetime ms. Counts at 0 leave the hash. */
const MOVE = `
if ARGV[1] ~= '' and redis.call('HINCRBY', KEYS[1], ARGV[1], -1) == 0 then redis.call('HDEL', KEYS[1], ARGV[1]) end
if ARGV[2] ~= '' and redis.call('HINCRBY', KEYS[1], ARGV[2], 1) == 0 then redis.call('HDEL', KEYS[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/**
 * KEYS: ledger. → live entries: the counts at boundaries still ahead of Redis' own clock (the
 * clock that expires the keys). Passed boundaries are dropped on the way.
 */
const LIVE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local entries = redis.call('HGETALL', KEYS[1])
local live, passed = 0, {}
for i = 1, #entries, 2 do
  if tonumber(entries[i]) > now then live = live + tonumber(entries[i + 1]) else passed[#passed + 1] = entries[i] end
end
for i = 1, #passed, 500 do redis.call('HDEL', KEYS[1], unpack(passed, i, math.min(i + 499, #passed))) end
if live < 0 then live = 0 end
return live
`;

/**
 * KEYS: a stamped entry. ARGV: the expiry due now. Moves the entry's expiry forward, never back.
 * → its former expiry when it moved it, else false (gone, or already slid by someone else).
 */
const SLIDE = `${LUA_STAMPS}
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local at, payload = unstamp(raw)
if tonumber(at) >= tonumber(ARGV[1]) then return false end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. payload, 'PXAT', ARGV[1])
return at
`;

interface LedgerScripts {
  statelabLedgerMove(ledgerKey: string, from: number | '', to: number | '', lifetimeMs: number): Promise<number>;
  statelabLedgerLive(ledgerKey: string): Promise<number>;
  statelabSlide(entryKey: string, expiresAt: number): Promise<string | null>;
}

/**
 * Counts one kind of Redis entry (sessions, carts, orders) without scanning: an expiry ledger.
 *
 * Every entry of the kind expires on a boundary of an ExpiryGrid (PXAT a multiple of the step),
 * and the ledger, one hash, holds per boundary how many entries expire there. Whoever creates,
 * deletes or slides an entry moves it in the ledger; counting sums the boundaries still ahead of
 * Redis' clock: one command (EVALSHA) of O(TTL / step) work, however many keys Redis holds, and
 * exact, since a key and its ledger boundary expire at the same millisecond.
 *
 * The move is its own command, sent at once but not awaited: the caller's request never waits
 * for it, and in Redis Cluster the ledger lives in another slot than the entry, so no script may
 * touch both. A move lost to a failure between the two (Redis down, a replica killed) leaves the
 * count off by one until that boundary passes, at most TTL + step later; a ledger nobody writes
 * for longer than its entries can live expires by itself.
 */
export class RedisLedger {
  private readonly scripts: LedgerScripts;
  private readonly lifetimeMs: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    client: RedisClient,
    private readonly key: string,
    readonly grid: ExpiryGrid,
  ) {
    client.defineCommand('statelabLedgerMove', { numberOfKeys: 1, lua: MOVE });
    client.defineCommand('statelabLedgerLive', { numberOfKeys: 1, lua: LIVE });
    client.defineCommand('statelabSlide', { numberOfKeys: 1, lua: SLIDE });
    this.scripts = client as unknown as LedgerScripts;
    // Outlives its latest boundary (at most TTL + step after the last move), with room for clock skew.
    this.lifetimeMs = grid.ttlMs + 2 * grid.stepMs + 60_000;
  }

  /** The expiry of an entry used now. */
  expiryNow(): number {
    return this.grid.expiryAfterUseAt(Date.now());
  }

  /** Follows one entry from boundary `from` to boundary `to` (null: none). */
  move(from: number | null, to: number | null): void {
    if (from === to) return;
    this.track(this.scripts.statelabLedgerMove(this.key, from ?? '', to ?? '', this.lifetimeMs));
  }

  /**
   * Slides the expiry of the entry at `entryKey`, read with expiry `storedExpiry`, when a later
   * boundary is due: at most once per step per entry, so reads cost nothing here in between.
   * Concurrent readers race safely: only the script that moves the expiry moves the ledger.
   */
  slide(entryKey: string, storedExpiry: number): void {
    const due = this.expiryNow();
    if (due <= storedExpiry) return;
    this.track(
      this.scripts.statelabSlide(entryKey, due).then((former) => {
        if (former !== null) this.move(Number(former), due);
      }),
    );
  }

  /** Live entries, once this client's own moves have landed. */
  async live(operation: string): Promise<number> {
    await this.settled();
    return Number(await redisCall(operation, () => this.scripts.statelabLedgerLive(this.key)));
  }

  /** Resolves once no move or slide of this ledger is in flight. */
  async settled(): Promise<void> {
    while (this.pending.size > 0) await Promise.all(this.pending);
  }

  private track(command: Promise<unknown>): void {
    const done: Promise<void> = command.then(
      () => void this.pending.delete(done),
      () => void this.pending.delete(done), // lost: undone when its boundary passes (see above)
    );
    this.pending.add(done);
  }
}
