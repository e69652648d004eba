import { CookieJar, cookieFromSetCookie, errorCodeOf, HeaderBag, parseSetCookie, servedByIds } from './headers';

const LOGIN_OK: HeaderBag = { 'Set-Cookie': ['theme=dark; Path=/', 'sid=s%3Aabc.sig; HttpOnly; SameSite=Lax; Path=/'], 'x-served-by': 'user-2' };
const SESSION_LOST = JSON.stringify({ error: { code: 'session_lost', message: 'your session was lost' } });

describe('cookieFromSetCookie()', () => {
  it('finds sid among several cookies of a set-cookie array', () => {
    expect(cookieFromSetCookie(LOGIN_OK, 'sid')).toBe('s%3Aabc.sig');
  });

  it('reads a single set-cookie string whatever the header casing', () => {
    expect(cookieFromSetCookie({ 'set-cookie': 'sid=xyz; HttpOnly' }, 'sid')).toBe('xyz');
    expect(cookieFromSetCookie({ 'SET-COOKIE': 'sid=xyz' }, 'sid')).toBe('xyz');
  });

  it('does not mistake a cookie whose name merely ends in sid', () => {
    expect(cookieFromSetCookie({ 'set-cookie': 'oldsid=1; Path=/' }, 'sid')).toBeUndefined();
  });

  it('reports a deleted cookie as null: empty value, Max-Age=0 or Expires in the past', () => {
    expect(cookieFromSetCookie({ 'set-cookie': 'sid=; Path=/' }, 'sid')).toBeNull();
    expect(cookieFromSetCookie({ 'set-cookie': 'sid=gone; Max-Age=0; Path=/' }, 'sid')).toBeNull();
    expect(cookieFromSetCookie({ 'set-cookie': 'sid=gone; Expires=Thu, 01 Jan 1970 00:00:00 GMT' }, 'sid')).toBeNull();
    expect(cookieFromSetCookie({ 'set-cookie': 'sid=kept; Expires=Fri, 01 Jan 2100 00:00:00 GMT' }, 'sid')).toBe('kept');
  });

  it('is undefined when the response sets no cookie', () => {
    expect(cookieFromSetCookie({ 'content-type': 'application/json' }, 'sid')).toBeUndefined();
    expect(cookieFromSetCookie(undefined, 'sid')).toBeUndefined();
  });
});

describe('servedByIds()', () => {
  it('splits the replica list in call order', () => {
    expect(servedByIds({ 'X-Served-By': 'user-2, cart-1' })).toEqual(['user-2', 'cart-1']);
  });

  it('joins repeated headers and skips blanks', () => {
    expect(servedByIds({ 'x-served-by': ['user-1', 'cart-3,'] })).toEqual(['user-1', 'cart-3']);
    expect(servedByIds({})).toEqual([]);
  });
});

describe('errorCodeOf()', () => {
  it('reads error.code of a JSON error body and ignores anything else', () => {
    expect(errorCodeOf(SESSION_LOST)).toBe('session_lost');
    expect(errorCodeOf('not json')).toBeUndefined();
    expect(errorCodeOf('{"error":"flat"}')).toBeUndefined();
    expect(errorCodeOf('null')).toBeUndefined();
    expect(errorCodeOf({ error: { code: 'empty_cart' } })).toBe('empty_cart');
  });
});

describe('parseSetCookie()', () => {
  it('reads the name=value pair and ignores the attributes', () => {
    expect(parseSetCookie('sid=abc.def; Path=/; HttpOnly')).toEqual({ name: 'sid', value: 'abc.def', deletes: false });
  });

  it('is undefined for a line without a pair', () => {
    expect(parseSetCookie('HttpOnly')).toBeUndefined();
  });
});

describe('CookieJar', () => {
  it('keeps cookies by name and sends them back as one Cookie header', () => {
    const jar = new CookieJar();
    expect(jar.header()).toBeUndefined();
    jar.update(['sid=one; Path=/', 'lb=cart-2; Path=/']);
    expect(jar.header()).toBe('sid=one; lb=cart-2');
    jar.update(['sid=two; Path=/']);
    expect(jar.get('sid')).toBe('two');
  });

  it('drops a cookie the response deletes', () => {
    const jar = new CookieJar();
    jar.update(['sid=one', 'lb=cart-1']);
    jar.update(['sid=; Max-Age=0; Path=/']);
    expect(jar.header()).toBe('lb=cart-1');
  });

  it('sends a cookie set for a Path only to that path and below, as a browser does', () => {
    const jar = new CookieJar();
    jar.update(['at=access; Path=/; HttpOnly', 'rt=refresh; Path=/api/refresh; HttpOnly']);
    expect(jar.header('/api/cart')).toBe('at=access');
    expect(jar.header('/api/refresh')).toBe('at=access; rt=refresh');
    expect(jar.header('/api/refresh?x=1')).toBe('at=access; rt=refresh');
    expect(jar.header('/api/refreshed')).toBe('at=access');
    expect(jar.header()).toBe('at=access; rt=refresh');
  });

  it('replaces its cookies with those of a Cookie header, or empties on undefined', () => {
    const jar = new CookieJar();
    jar.update(['sid=one']);
    jar.replace('sid=old; lb=cart-3');
    expect(jar.header()).toBe('sid=old; lb=cart-3');
    jar.replace(undefined);
    expect(jar.header()).toBeUndefined();
  });
});
