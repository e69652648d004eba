import { SessionCookies } from './session-cookie';

const SECRET = 'the-current-session-secret-of-32-chars';
const PREVIOUS = 'the-previous-session-secret-of-32-chars';
const T0 = Date.parse('2026-12-02T10:00:00Z');

function cookies(options: Partial<ConstructorParameters<typeof SessionCookies>[0]> = {}, now = () => T0): SessionCookies {
  return new SessionCookies({ secret: SECRET, maxAgeSeconds: 1800, now, ...options });
}
const header = (setCookie: string) => setCookie.split(';')[0];

describe('SessionCookies', () => {
  it('signs a 128-bit id with the second it was issued: sid=<id>.<issued>.<hmac>, HttpOnly, SameSite=Lax', () => {
    const jar = cookies();
    const setCookie = jar.serialize('AAAAAAAAAAAAAAAAAAAAAA');
    expect(setCookie).toMatch(/^sid=AAAAAAAAAAAAAAAAAAAAAA\.[0-9a-z]+\.[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1800$/);
    expect(jar.read(header(setCookie))).toEqual({ state: 'valid', sid: 'AAAAAAAAAAAAAAAAAAAAAA', reissue: false });
    expect(jar.newSessionId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('adds Secure when asked', () => {
    expect(cookies({ secure: true }).serialize('AAAAAAAAAAAAAAAAAAAAAA')).toContain('; Secure;');
    expect(cookies({ secure: true }).serializeCleared()).toBe('sid=; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=0');
  });

  it.each([
    ['a changed id', (c: string) => c.replace('sid=A', 'sid=B')],
    ['a changed issue time', (c: string) => c.replace(/\.([0-9a-z]+)\./, '.zzzz.')],
    ['no issue time', (c: string) => c.replace(/\.[0-9a-z]+\./, '.')],
    ['an extra part', (c: string) => `${c}.x`],
    ['a value far too long', () => `sid=${'A'.repeat(300)}`],
  ])('refuses %s as invalid', (_name, tamper) => {
    const jar = cookies();
    expect(jar.read(tamper(header(jar.serialize('AAAAAAAAAAAAAAAAAAAAAA'))))).toEqual({ state: 'invalid' });
  });

  it('says absent when there is no sid cookie among others', () => {
    expect(cookies().read('theme=dark; lang=en')).toEqual({ state: 'absent' });
  });

  it('asks for a re-issue past half the cookie life, not before', () => {
    let now = T0;
    const jar = cookies({}, () => now);
    const cookie = header(jar.serialize('AAAAAAAAAAAAAAAAAAAAAA'));
    now = T0 + 900_000 - 1000;
    expect(jar.read(cookie)).toMatchObject({ state: 'valid', reissue: false });
    now = T0 + 900_000 + 1000;
    expect(jar.read(cookie)).toMatchObject({ state: 'valid', reissue: true });
  });

  it('accepts a cookie of the previous key during a rotation and asks for it to be re-issued under the new one', () => {
    const old = header(new SessionCookies({ secret: PREVIOUS, maxAgeSeconds: 1800, now: () => T0 }).serialize('AAAAAAAAAAAAAAAAAAAAAA'));
    expect(cookies({ previousSecret: PREVIOUS }).read(old)).toEqual({ state: 'valid', sid: 'AAAAAAAAAAAAAAAAAAAAAA', reissue: true });
    expect(cookies().read(old)).toEqual({ state: 'invalid' });
  });
});
