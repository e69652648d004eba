import { randomBytes } from 'node:crypto';
import { signHs256Jwt, verifyHs256Jwt } from './jwt';
import { ROUTING_MEMBER_COUNTS, RoutingBenchResult, runRoutingBench } from './routing';
import { runTokensBench, TokensBenchResult } from './tokens';

const finitePositive = (value: number) => Number.isFinite(value) && value > 0;

describe('bench', () => {
  describe('runTokensBench()', () => {
    let result: TokensBenchResult;
    beforeAll(() => {
      result = runTokensBench({ iterations: 200, rounds: 1 });
    });

    it('times both verifications in finite positive µs', () => {
      expect([result.sessionCookie.verifyUs, result.jwt.verifyUs, result.verifyRatio].every(finitePositive)).toBe(true);
    });

    it('measures the signed sid cookie at 77 bytes: sid= + 22-char id + . + 6-char issue time + . + 43-char HMAC', () => {
      expect(result.sessionCookie).toMatchObject({ sessionIdBytes: 22, valueBytes: 73, sentBytes: 77, headerLineBytes: 87 });
    });

    it('measures a 5-claim HS256 JWT at about 200 bytes and counts its whole header line', () => {
      expect(result.jwt.claims).toHaveLength(5);
      expect(result.jwt.valueBytes).toBeGreaterThan(150);
      expect(result.jwt.valueBytes).toBeLessThan(260);
      expect(result.jwt.sentBytes).toBe(result.jwt.valueBytes + 'Authorization: Bearer '.length);
      expect(result.jwt.headerLineBytes).toBe(result.jwt.sentBytes + 2);
    });
  });

  describe('runRoutingBench()', () => {
    let result: RoutingBenchResult;
    beforeAll(() => {
      result = runRoutingBench({ picks: 1000, rounds: 1 });
    });

    it('times every selector for 3 and 16 members in finite positive ns', () => {
      for (const subject of ['round-robin', 'sticky-modulo', 'sticky-ring'] as const) {
        for (const members of ROUTING_MEMBER_COUNTS) {
          const row = result.rows.find((r) => r.subject === subject && r.members === members);
          expect(row && finitePositive(row.nsPerPick)).toBe(true);
        }
      }
    });
  });

  describe('verifyHs256Jwt()', () => {
    const key = randomBytes(32);
    const now = 1_700_000_000;
    const token = signHs256Jwt({ sub: '42', exp: now + 60 }, key);
    const segments = token.split('.');
    const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

    it('signs exactly as RFC 7519 tools do (the jwt.io HS256 example)', () => {
      const example = signHs256Jwt({ sub: '1234567890', name: 'John Doe', iat: 1516239022 }, Buffer.from('your-256-bit-secret'));
      expect(example).toBe(
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c',
      );
    });

    it('accepts a valid token before its exp and returns its claims', () => {
      expect(verifyHs256Jwt(token, key, now)).toEqual({ valid: true, claims: { sub: '42', exp: now + 60 } });
    });

    it('rejects a token at or after its exp, or without one', () => {
      expect(verifyHs256Jwt(token, key, now + 60)).toEqual({ valid: false, reason: 'expired' });
      expect(verifyHs256Jwt(signHs256Jwt({ sub: '42' }, key), key, now)).toEqual({ valid: false, reason: 'malformed' });
    });

    it('rejects a changed payload, another key and a non-canonical signature', () => {
      const forged = [segments[0], b64({ sub: '1', exp: now + 60 }), segments[2]].join('.');
      expect(verifyHs256Jwt(forged, key, now)).toEqual({ valid: false, reason: 'signature' });
      expect(verifyHs256Jwt(token, randomBytes(32), now)).toEqual({ valid: false, reason: 'signature' });
      // The 43rd character carries 4 bits and 2 zero bits: the next character of the alphabet
      // (A -> B, w -> x, …) decodes to the same 32 bytes but is not the canonical encoding.
      const last = segments[2].charCodeAt(42);
      const sibling = `${segments[0]}.${segments[1]}.${segments[2].slice(0, 42)}${String.fromCharCode(last + 1)}`;
      expect(Buffer.from(sibling.split('.')[2], 'base64url')).toEqual(Buffer.from(segments[2], 'base64url'));
      expect(verifyHs256Jwt(sibling, key, now)).toEqual({ valid: false, reason: 'signature' });
    });

    it('rejects alg none and any other algorithm, whatever the signature', () => {
      const none = `${b64({ alg: 'none', typ: 'JWT' })}.${segments[1]}.`;
      expect(verifyHs256Jwt(none, key, now)).toEqual({ valid: false, reason: 'algorithm' });
      expect(verifyHs256Jwt(`${b64({ alg: 'HS512' })}.${segments[1]}.${segments[2]}`, key, now)).toEqual({ valid: false, reason: 'algorithm' });
    });

    it('rejects what is not three base64url segments', () => {
      for (const bad of ['', 'abc', 'a.b', `${token}.x`, `${segments[0]}.${segments[1]}!.${segments[2]}`]) {
        expect(verifyHs256Jwt(bad, key, now).valid).toBe(false);
      }
    });
  });
});
