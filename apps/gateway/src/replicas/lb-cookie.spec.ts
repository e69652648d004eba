import { Affinity, LbCookies } from './lb-cookie';

const SECRET = 'a-session-secret-of-at-least-32-characters';
const pair = (setCookie: string) => setCookie.split(';')[0];

describe('LbCookies', () => {
  const cookies = new LbCookies(SECRET, false);

  it('signs the chosen replicas into lb=user-2.cart-1.<hmac>, a session cookie', () => {
    const affinity = new Affinity('absent');
    affinity.choose('user', 'user-2');
    affinity.choose('cart', 'cart-1');
    const setCookie = cookies.serialize(affinity);
    expect(setCookie).toMatch(/^lb=cart-1\.user-2\.[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax$/);
    const read = cookies.read(pair(setCookie));
    expect(read.cookie).toBe('ok');
    expect([read.replicaFor('user'), read.replicaFor('cart'), read.replicaFor('product')]).toEqual(['user-2', 'cart-1', undefined]);
  });

  it.each([
    ['another replica under the same signature', (c: string) => c.replace('user-2', 'user-3')],
    ['no signature', () => 'lb=user-2'],
    ['a product replica', () => pair(new LbCookies(SECRET, false).serialize(pinned('product', 'product-1')))],
    ['another key', () => pair(new LbCookies('another-secret-of-at-least-32-characters', false).serialize(pinned('user', 'user-2')))],
  ])('calls %s forged', (_name, tamper) => {
    const cookie = tamper(pair(cookies.serialize(pinned('user', 'user-2'))));
    expect(cookies.read(cookie).cookie).toBe('forged');
    expect(cookies.read(cookie).replicaFor('user')).toBeUndefined();
  });

  it('says absent without an lb cookie', () => {
    expect(cookies.read('sid=x').cookie).toBe('absent');
  });

  it('marks an affinity changed only when a pin changes', () => {
    const affinity = cookies.read(pair(cookies.serialize(pinned('user', 'user-2'))));
    affinity.choose('user', 'user-2');
    expect(affinity.changed).toBe(false);
    affinity.choose('user', 'user-1');
    expect(affinity.changed).toBe(true);
  });
});

function pinned(service: 'user' | 'cart' | 'product', id: string): Affinity {
  const affinity = new Affinity('absent');
  affinity.choose(service as 'user', id);
  return affinity;
}
