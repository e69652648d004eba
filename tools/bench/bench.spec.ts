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
});
