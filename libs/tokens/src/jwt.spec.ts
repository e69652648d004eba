import { createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { ed25519Key, hs256Key, JwtKey, signJwt, verifyJwt } from './jwt';
import { LabTokens } from './lab-tokens';

const SECRET = 'a-jwt-secret-of-at-least-32-characters';
const NOW = 1_800_000_000;
const ed25519Pem = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('JWT codec', () => {
  describe.each([
    ['HS256', () => hs256Key(SECRET)],
    ['EdDSA', () => ed25519Key(ed25519Pem())],
  ] as const)('%s', (alg, makeKey) => {
    let key: JwtKey;
    beforeAll(() => (key = makeKey()));

    it('round-trips claims with a header naming the algorithm', () => {
      const token = signJwt({ sub: 'u-1', exp: NOW + 60 }, key);
      expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toEqual({ alg, typ: 'JWT' });
      expect(verifyJwt(token, key, NOW)).toEqual({ valid: true, claims: { sub: 'u-1', exp: NOW + 60 } });
    });

    it('refuses a token whose payload was changed as bad_signature', () => {
      const [header, , signature] = signJwt({ sub: 'u-1', exp: NOW + 60 }, key).split('.');
      expect(verifyJwt(`${header}.${segment({ sub: 'u-2', exp: NOW + 60 })}.${signature}`, key, NOW)).toEqual({ valid: false, reason: 'bad_signature' });
    });

    it('refuses a token signed by another key as bad_signature', () => {
      const other = alg === 'HS256' ? hs256Key('another-secret-of-at-least-32-characters') : ed25519Key(ed25519Pem());
      expect(verifyJwt(signJwt({ exp: NOW + 60 }, other), key, NOW)).toEqual({ valid: false, reason: 'bad_signature' });
    });

    it('refuses an expired token at exp, not a second before', () => {
      const token = signJwt({ exp: NOW + 60 }, key);
      expect(verifyJwt(token, key, NOW + 59.999).valid).toBe(true);
      expect(verifyJwt(token, key, NOW + 60)).toEqual({ valid: false, reason: 'expired' });
    });
  });

  it('refuses alg "none" and an HS256 token against an EdDSA key as bad_algorithm', () => {
    const none = `${segment({ alg: 'none', typ: 'JWT' })}.${segment({ exp: NOW + 60 })}.`;
    expect(verifyJwt(none, hs256Key(SECRET), NOW)).toEqual({ valid: false, reason: 'bad_algorithm' });
    expect(verifyJwt(signJwt({ exp: NOW + 60 }, hs256Key(SECRET)), ed25519Key(ed25519Pem()), NOW)).toEqual({ valid: false, reason: 'bad_algorithm' });
  });

  it.each([
    ['two segments', 'a.b'],
    ['four segments', 'a.b.c.d'],
    ['a header that is not JSON', 'bm90IGpzb24.e30.x'],
    ['a token far too long', `${'a'.repeat(9000)}.b.c`],
  ])('refuses %s as malformed', (_name, token) => {
    expect(verifyJwt(token, hs256Key(SECRET), NOW)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('refuses a well-signed token without a numeric exp as malformed', () => {
    expect(verifyJwt(signJwt({ sub: 'u-1' }, hs256Key(SECRET)), hs256Key(SECRET), NOW)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('matches an HMAC-SHA256 computed independently over header.payload', () => {
    const token = signJwt({ exp: NOW + 60 }, hs256Key(SECRET));
    const [header, payload, signature] = token.split('.');
    expect(signature).toBe(createHmac('sha256', SECRET).update(`${header}.${payload}`).digest('base64url'));
  });
});

describe('LabTokens', () => {
  let now = NOW * 1000;
  const tokens = new LabTokens({ key: hs256Key(SECRET), accessTtlSeconds: 900, refreshTtlSeconds: 86_400, now: () => now });
  const user = { userId: 'u-7', username: 'user7' };

  it('issues an access token with sub, name, iat, exp, jti, typ and fam', () => {
    now = NOW * 1000 + 250;
    const { token, claims } = tokens.issue(user, 'access', 'family-1');
    expect(claims).toEqual({
      sub: 'u-7',
      name: 'user7',
      iat: NOW + 0.25,
      exp: NOW + 1 + 900,
      jti: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      typ: 'access',
      fam: 'family-1',
    });
    expect(tokens.check(token, 'access')).toEqual({ ok: true, claims });
  });

  it('gives every token its own jti', () => {
    expect(tokens.issue(user, 'access').claims.jti).not.toBe(tokens.issue(user, 'access').claims.jti);
  });

  it('refuses a refresh token where an access token is due, and the reverse, as wrong_type', () => {
    expect(tokens.check(tokens.issue(user, 'refresh').token, 'access')).toEqual({ ok: false, reason: 'wrong_type' });
    expect(tokens.check(tokens.issue(user, 'access').token, 'refresh')).toEqual({ ok: false, reason: 'wrong_type' });
  });

  it('lets a refresh token live REFRESH_TTL_SECONDS', () => {
    now = NOW * 1000;
    const { token } = tokens.issue(user, 'refresh');
    now += 86_399_000;
    expect(tokens.check(token, 'refresh').ok).toBe(true);
    now += 1_000;
    expect(tokens.check(token, 'refresh')).toEqual({ ok: false, reason: 'expired' });
  });

  it("refuses a well-signed token whose claims are not the lab's as malformed", () => {
    const foreign = signJwt({ sub: 'u-1', exp: NOW + 60 }, hs256Key(SECRET));
    now = NOW * 1000;
    expect(tokens.check(foreign, 'access')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('HS256 (moved from the tokens bench)', () => {
  const key = hs256Key(randomBytes(32));
  const now = 1_700_000_000;
  const token = signJwt({ sub: '42', exp: now + 60 }, key);
  const segments = token.split('.');
  const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

  it('signs exactly as RFC 7519 tools do (the jwt.io HS256 example)', () => {
    const example = signJwt({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }, hs256Key('your-256-bit-secret'));
    expect(example).toBe(
      'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
    );
  });

  it('accepts a valid token before its exp and returns its claims', () => {
    expect(verifyJwt(token, key, now)).toEqual({ valid: true, claims: { sub: '42', exp: now + 60 } });
  });

  it('rejects a token at or after its exp, or without one', () => {
    expect(verifyJwt(token, key, now + 60)).toEqual({ valid: false, reason: 'expired' });
    expect(verifyJwt(signJwt({ sub: '42' }, key), key, now)).toEqual({ valid: false, reason: 'malformed' });
  });

  it('rejects a changed payload, another key and a non-canonical signature', () => {
    const forged = [segments[0], b64({ sub: '1', exp: now + 60 }), segments[2]].join('.');
    expect(verifyJwt(forged, key, now)).toEqual({ valid: false, reason: 'bad_signature' });
    expect(verifyJwt(token, hs256Key(randomBytes(32)), now)).toEqual({ valid: false, reason: 'bad_signature' });
    // The 43rd character carries 4 bits and 2 zero bits: the next character of the alphabet
    // (A -> B, w -> x, …) decodes to the same 32 bytes but is not the canonical encoding.
    const last = segments[2].charCodeAt(42);
    const sibling = `${segments[0]}.${segments[1]}.${segments[2].slice(0, 42)}${String.fromCharCode(last + 1)}`;
    expect(Buffer.from(sibling.split('.')[2], 'base64url')).toEqual(Buffer.from(segments[2], 'base64url'));
    expect(verifyJwt(sibling, key, now)).toEqual({ valid: false, reason: 'bad_signature' });
  });

  it('rejects alg none and any other algorithm, whatever the signature', () => {
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${segments[1]}.`;
    expect(verifyJwt(none, key, now)).toEqual({ valid: false, reason: 'bad_algorithm' });
    expect(verifyJwt(`${b64({ alg: 'HS512' })}.${segments[1]}.${segments[2]}`, key, now)).toEqual({ valid: false, reason: 'bad_algorithm' });
  });

  it('rejects what is not three base64url segments', () => {
    for (const bad of ['', 'abc', 'a.b', `${token}.x`, `${segments[0]}.${segments[1]}!.${segments[2]}`]) {
      expect(verifyJwt(bad, key, now).valid).toBe(false);
    }
  });
});
