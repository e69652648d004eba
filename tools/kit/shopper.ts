import { DEMO_PASSWORD } from '@app/contracts';
import { CookieJar } from './headers';
import { GatewayClient, JsonCalls, Reply, RequestOptions } from './http';

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

  /** The `Cookie` header the shopper sends (`sid=…`), undefined while it holds no cookie; settable to replay an old one. */
  get cookie(): string | undefined {
    return this.jar.header();
  }

  set cookie(header: string | undefined) {
    this.jar.replace(header);
  }

  login(password = DEMO_PASSWORD, options: RequestOptions = {}): Promise<Reply<DefaultBody>> {
    return this.request('POST', '/api/login', { ...options, body: { username: this.username, password } });
  }

  async request<T = DefaultBody>(method: string, path: string, options: RequestOptions = {}): Promise<Reply<T>> {
    const reply = await this.client.request<T>(method, path, { cookie: this.jar.header(), ...options });
    this.jar.update(reply.headers.getSetCookie());
    return reply;
  }
}

/** `user<n>` of the demo accounts user1 … user<accounts>, counting on from `first` and wrapping. */
export function demoUser(first: number, offset: number, accounts = 1000): string {
  return `user${((first - 1 + offset) % accounts) + 1}`;
}
