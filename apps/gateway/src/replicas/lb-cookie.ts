import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseReplicaId, ServiceName } from '@app/config';
import { cookieValue } from '@app/tokens';

export const LB_COOKIE = 'lb';
const MAX_VALUE = 128;

/** The replicas a client is pinned to, as its `lb` cookie said; the router reads and updates it. */
export class Affinity {
  /** The cookie must be sent again: a replica was chosen or replaced during this request. */
  changed = false;

  constructor(
    /** `absent`: no cookie; `forged`: a cookie that is not ours (bad signature, bad shape); `ok`: ours. */
    readonly cookie: 'absent' | 'forged' | 'ok',
    private readonly pinned: Partial<Record<ServiceName, string>> = {},
  ) {}

  replicaFor(service: ServiceName): string | undefined {
    return this.pinned[service];
  }

  /** Pins the client to `id` for `service` from now on. */
  choose(service: ServiceName, id: string): void {
    if (this.pinned[service] === id) return;
    this.pinned[service] = id;
    this.changed = true;
  }

  entries(): Array<[ServiceName, string]> {
    return Object.entries(this.pinned) as Array<[ServiceName, string]>;
  }
}

/**
 * ROUTING=sticky-cookie: the `lb` cookie a load balancer sets to pin a client to the replicas it
 * chose for it (HAProxy's `cookie SERVERID insert`), here one per stateful service:
 * `lb=user-2.cart-1.<HMAC-SHA256>`. Signed with the session key, so a client can neither forge a
 * pin nor aim its traffic at one replica; the router still checks each named replica against the
 * directory (a stale pin falls back to a fresh choice and the cookie is sent again).
 */
export class LbCookies {
  private readonly key: Buffer;
  private readonly attributes: string;

  constructor(secret: string, secure: boolean) {
    this.key = Buffer.from(`lb-cookie:${secret}`, 'utf8');
    this.attributes = `Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
  }

  read(cookieHeader: string | undefined): Affinity {
    const value = cookieValue(cookieHeader, LB_COOKIE);
    if (value === undefined || value === '') return new Affinity('absent');
    if (value.length > MAX_VALUE) return new Affinity('forged');
    const parts = value.split('.');
    const signature = parts.pop() as string;
    const payload = parts.join('.');
    if (parts.length === 0 || !this.verify(payload, signature)) return new Affinity('forged');
    const pinned: Partial<Record<ServiceName, string>> = {};
    for (const id of parts) {
      const parsed = parseReplicaId(id);
      if (!parsed || parsed.service === 'product' || pinned[parsed.service] !== undefined) return new Affinity('forged');
      pinned[parsed.service] = id;
    }
    return new Affinity('ok', pinned);
  }

  /** The Set-Cookie line for an affinity: a session cookie (no Max-Age), as load balancers set it. */
  serialize(affinity: Affinity): string {
    const payload = affinity
      .entries()
      .map(([, id]) => id)
      .sort()
      .join('.');
    return `${LB_COOKIE}=${payload}.${this.sign(payload)}; ${this.attributes}`;
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  private verify(payload: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
