import { DEMO_PASSWORD, ErrorCodes } from '@app/contracts';
import { CookieJar, errorCodeOf } from './headers';
import { GatewayClient, JsonCalls, Reply, RequestOptions } from './http';
import { delay } from './wait';

/** How often a patient login tries again after a `login_busy` (each after its Retry-After). */
const BUSY_LOGIN_ATTEMPTS = 20;

/**
 * A browser stand-in: one demo account and its cookie jar, over a {@link GatewayClient}
 * (its own, or one shared by many shoppers so they pool connections). Every answer's
 * `Set-Cookie` updates the jar; every request sends it unless the call names its own cookie.
 */
export class Shopper<DefaultBody = unknown> extends JsonCalls<DefaultBody> {
  readonly client: GatewayClient<DefaultBody>;
  private readonly jar = new CookieJar();

  constructor(
    gateway: string | GatewayClient<DefaultBody>,
    readonly username = 'user1',
  ) {
    super();
    this.client = typeof gateway === 'string' ? new GatewayClient<DefaultBody>(gateway) : gateway;
  }

  /** Every cookie the shopper holds as one `Cookie` header (`sid=…`, or `at=…; rt=…`), undefined while it holds none; settable to replay an old one. */
  get cookie(): string | undefined {
    return this.jar.header();
  }

  set cookie(header: string | undefined) {
    this.jar.replace(header);
  }

  /**
   * Logs in. A user replica hashing too many passwords at once answers 503 `login_busy` with a
   * Retry-After; like a well-behaved client, the shopper waits that long and tries again (up to
   * 20 times) unless `patient: false` asks for the first answer as it is.
   */
  async login(password = DEMO_PASSWORD, options: RequestOptions & { patient?: boolean } = {}): Promise<Reply<DefaultBody>> {
    const { patient = true, ...request } = options;
    for (let attempt = 1; ; attempt++) {
      const reply = await this.request('POST', '/api/login', { ...request, body: { username: this.username, password } });
      if (!patient || attempt >= BUSY_LOGIN_ATTEMPTS || reply.status !== 503 || errorCodeOf(reply.body) !== ErrorCodes.loginBusy) return reply;
      await delay(1000 * Math.max(1, Number(reply.headers.get('retry-after')) || 1));
    }
  }

  /** The `Cookie` header the shopper sends to `path`: only the cookies whose Path matches it. */
  cookieFor(path: string): string | undefined {
    return this.jar.header(path);
  }

  async request<T = DefaultBody>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const reply = await this.client.request<T>(method, path, { cookie: this.jar.header(path), ...options });
    this.jar.update(reply.headers.getSetCookie());
    return reply;
  }
}

/** `user<n>` of the demo accounts user1 … user<accounts>, counting on from `first` and wrapping. */
export function demoUser(first: number, offset: number, accounts = 1000): string {
  return `user${((first - 1 + offset) % accounts) + 1}`;
}
