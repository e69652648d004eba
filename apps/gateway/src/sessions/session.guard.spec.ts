import { ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { LabHttpException } from '../http/lab-http.exception';
import { FakeReplicas, fakeReplicas } from '../testing/fake-replicas';
import { SessionCookies } from '@app/tokens';
import { SessionRegistry } from './session-registry';
import { SessionGuard } from './session.guard';

const SECRET = 'a-session-secret-of-at-least-32-characters';

const sentHeaders: Record<string, string> = {};
const reply = { header: (name: string, value: string) => (sentHeaders[name] = value) };

function httpContext(request: Partial<FastifyRequest>): ExecutionContext {
  return { switchToHttp: () => ({ getRequest: () => request, getResponse: () => reply }) } as unknown as ExecutionContext;
}

describe('SessionGuard', () => {
  let replicas: FakeReplicas;
  let cookies: SessionCookies;
  let registry: SessionRegistry;
  let guard: SessionGuard;

  beforeEach(() => {
    for (const name of Object.keys(sentHeaders)) delete sentHeaders[name];
    replicas = fakeReplicas({ STATE_MODE: 'stateful' });
    cookies = new SessionCookies({ secret: SECRET, maxAgeSeconds: 1800 });
    registry = new SessionRegistry(1800_000);
    guard = new SessionGuard(cookies, registry, replicas.telemetry);
  });

  const requestWith = (cookie: string | undefined) => ({ headers: cookie === undefined ? {} : { cookie }, hop: replicas.hop() }) as unknown as FastifyRequest;
  const cookieFor = (sid: string) => cookies.serialize(sid).split(';')[0];
  const codeOf = async (request: FastifyRequest) => {
    const error = (await guard.canActivate(httpContext(request)).catch((e: unknown) => e)) as LabHttpException;
    return { status: error.getStatus(), code: (error.getResponse() as { error: { code: string } }).error.code };
  };
  const lookups = async () => (await replicas.telemetry.metrics.render()).split('\n').filter((l) => l.startsWith('lab_session_lookups_total{'));

  it('resolves a valid cookie into its session with one user lookup on the owner replica', async () => {
    replicas.answer('user', (pattern, data) => (pattern === 'user.session.get' ? { userId: 'u-7', username: 'user7', data } : null));
    const sid = cookies.newSessionId();
    const request = requestWith(cookieFor(sid));
    await expect(guard.canActivate(httpContext(request))).resolves.toBe(true);
    expect(request.session).toEqual({ sid, cartId: sid, user: expect.objectContaining({ userId: 'u-7' }) });
    expect(replicas.calls).toEqual([[expect.stringMatching(/^user-/), 'user.session.get', { sid }]]);
    expect(request.hop.servedBy).toEqual([replicas.calls[0][0]]);
  });

  it('sends the cookie again only once it is past half its life, as the session slides', async () => {
    replicas.answer('user', () => ({ userId: 'u-7', username: 'user7' }));
    let now = Date.parse('2026-12-02T10:00:00Z');
    const clock = new SessionCookies({ secret: SECRET, maxAgeSeconds: 1800, now: () => now });
    guard = new SessionGuard(clock, registry, replicas.telemetry);
    const cookie = clock.serialize(clock.newSessionId()).split(';')[0];
    now += 899_000;
    await guard.canActivate(httpContext(requestWith(cookie)));
    expect(sentHeaders['set-cookie']).toBeUndefined();
    now += 2_000;
    await guard.canActivate(httpContext(requestWith(cookie)));
    expect(sentHeaders['set-cookie']).toMatch(/^sid=[A-Za-z0-9_-]{22}\.[0-9a-z]+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1800$/);
    expect(sentHeaders['set-cookie'].split('.')[0]).toBe(cookie.split('.')[0]);
  });

  it('answers 401 no_session without a cookie, and asks no replica', async () => {
    expect(await codeOf(requestWith(undefined))).toEqual({ status: 401, code: 'no_session' });
    expect(replicas.calls).toEqual([]);
  });

  it('answers 401 invalid_session to a forged cookie, counts it, and asks no replica', async () => {
    expect(await codeOf(requestWith('sid=AAAAAAAAAAAAAAAAAAAAAA.forged'))).toEqual({ status: 401, code: 'invalid_session' });
    expect(replicas.calls).toEqual([]);
    expect(await lookups()).toContain('lab_session_lookups_total{mode="stateful",result="miss",reason="invalid"} 1');
  });

  it('tells a lost session (issued here and seen alive) from an expired or unknown one', async () => {
    replicas.answer('user', () => null);
    const known = cookies.newSessionId();
    registry.touch(known);
    expect(await codeOf(requestWith(cookieFor(known)))).toEqual({ status: 401, code: 'session_lost' });
    expect(await codeOf(requestWith(cookieFor(cookies.newSessionId())))).toEqual({ status: 401, code: 'session_expired_or_unknown' });
    const counted = await lookups();
    expect(counted).toContain('lab_session_lookups_total{mode="stateful",result="miss",reason="lost"} 1');
    expect(counted).toContain('lab_session_lookups_total{mode="stateful",result="miss",reason="expired_or_unknown"} 1');
  });
});
