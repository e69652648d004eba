import { describeMachine } from '../measure';
import { comparePeers, cartMismatch, formatPeersBench, PeersBenchResult, PeersRow, runPeersBench } from './peers-bench';
import { cartView, cookieValue, lineReader, newSessionId, signSessionId, verifySignedSessionId } from './protocol';
import { PEERS_TARGETS, PeersTargetName } from './targets';

const line = { productId: 'p-1', quantity: 1, priceCents: 8118 };

function row(target: PeersTargetName, throughputRps: number, clean = true): PeersRow {
  return {
    target,
    description: target,
    sessions: 'login',
    processCount: 1,
    durationSeconds: 1,
    requests: throughputRps,
    throughputRps,
    latencyMs: { p50: 1, p99: 2, mean: 1, max: 3 },
    non2xx: clean ? 0 : 5,
    errors: 0,
    statusCounts: clean ? { 200: throughputRps } : { 200: throughputRps - 5, 401: 5 },
    verifiedSessions: 2,
    cpuMsPerRequest: 1,
    redisCpuMsPerRequest: 0.1,
    redisCommandsPerRequest: 2,
    exitedDuringRun: [],
    clean,
  };
}

describe('peers bench', () => {
  describe('verifySignedSessionId()', () => {
    const key = Buffer.from('a-secret-the-bench-and-the-floor-share');
    const sid = newSessionId();

    it('returns the id of a cookie it signed', () => {
      expect(verifySignedSessionId(signSessionId(sid, key), key)).toBe(sid);
    });

    it('rejects another key, another id under the same signature, and junk', () => {
      const signed = signSessionId(sid, key);
      expect(verifySignedSessionId(signed, Buffer.from('another key'))).toBeUndefined();
      expect(verifySignedSessionId(`${newSessionId()}${signed.slice(22)}`, key)).toBeUndefined();
      for (const bad of [undefined, '', sid, `${sid}.`, `${signed}x`]) expect(verifySignedSessionId(bad, key)).toBeUndefined();
    });

    it('rejects a non-canonical spelling of the last signature character', () => {
      const signed = signSessionId(sid, key);
      const last = signed.charCodeAt(signed.length - 1);
      // The last of 43 characters carries 4 bits and 2 unused ones: the next character decodes the same.
      const sibling = `${signed.slice(0, -1)}${String.fromCharCode(last + 1)}`;
      expect(Buffer.from(sibling.split('.')[1], 'base64url')).toEqual(Buffer.from(signed.split('.')[1], 'base64url'));
      expect(verifySignedSessionId(sibling, key)).toBeUndefined();
    });

    it('reads it out of a Cookie header among others', () => {
      expect(cookieValue(`a=1; sid=${signSessionId(sid, key)}; b=2`, 'sid')).toBe(signSessionId(sid, key));
    });
  });

  describe('lineReader()', () => {
    it('hands over each complete line once, however the chunks cut them', () => {
      const lines: string[] = [];
      const onData = lineReader((l) => lines.push(l));
      onData(Buffer.from('{"id":1}\n{"id":2}\n{"i'));
      expect(lines).toEqual(['{"id":1}', '{"id":2}']);
      onData(Buffer.from('d":3}\n\n'));
      expect(lines).toEqual(['{"id":1}', '{"id":2}', '{"id":3}']);
    });
  });

  describe('cartMismatch()', () => {
    const expected = cartView([line]);

    it('accepts exactly the expected cart', () => {
      expect(cartMismatch({ items: [{ ...line }], totalCents: 8118 }, expected)).toBeUndefined();
    });

    it('names what differs: another product, a wrong total, the seed\'s {cart} shape, not an object', () => {
      expect(cartMismatch({ items: [{ ...line, productId: 'p-2' }], totalCents: 8118 }, expected)).toMatch(/productId/);
      expect(cartMismatch({ items: [line], totalCents: 1 }, expected)).toMatch(/totalCents/);
      expect(cartMismatch({ cart: ['p-1'] }, expected)).toMatch(/items/);
      expect(cartMismatch(null, expected)).toMatch(/object/);
    });
  });

  describe('comparePeers()', () => {
    it('checks each target against its ratio, never against a constant', () => {
      const ratios = comparePeers([
        row('statelab-redis-round-robin', 1000),
        row('statelab-redis-sticky-ring', 1500),
        row('statelab-stateful-sticky-ring', 1200),
        row('express-connect-redis', 1000),
        row('floor-same-shape', 2100),
      ]);
      expect(ratios.map((r) => [r.subject, r.baseline, r.verdict])).toEqual([
        ['statelab-redis-round-robin', 'express-connect-redis', 'meets'],
        ['statelab-redis-sticky-ring', 'express-connect-redis', 'no target'],
        ['statelab-stateful-sticky-ring', 'express-connect-redis', 'misses'],
        ['statelab-redis-round-robin', 'floor-same-shape', 'misses'],
      ]);
      expect(ratios[0].throughputRatio).toBeCloseTo(1);
      expect(ratios[2].throughputRatio).toBeCloseTo(1.2);
      expect(ratios[0].cpuRatio).toBeCloseTo(1);
    });

    it('gives no verdict for a pair with a NOT CLEAN row or a missing one', () => {
      const ratios = comparePeers([row('statelab-redis-round-robin', 5000, false), row('express-connect-redis', 1000)]);
      expect(ratios[0].verdict).toBe('NOT CLEAN');
      expect(ratios[2].verdict).toBe('not measured');
    });
  });

  // Every target for real, at a tiny scale: three labs, the Express peer twice, both floors.
  describe('runPeersBench() at a tiny scale', () => {
    const connections = 2;
    let result: PeersBenchResult;
    beforeAll(async () => {
      result = await runPeersBench({ connections, durationSeconds: 2, warmupSeconds: 1, rounds: 2 });
    }, 240_000);

    it('measures every target, in order, each with its sessions answering their own cart', () => {
      expect(result.rows.map((r) => r.target)).toEqual([...PEERS_TARGETS]);
      for (const r of result.rows) {
        expect({ target: r.target, verifiedSessions: r.verifiedSessions }).toEqual({ target: r.target, verifiedSessions: connections });
      }
    });

    it('measures every target in each of the rounds, adding their seconds up', () => {
      expect(result.rounds).toBe(2);
      for (const r of result.rows) {
        // Two slices of 1 s each; autocannon stops a slice on its own timer, a little late at worst.
        expect({ target: r.target, seconds: r.durationSeconds >= 1.8 && r.durationSeconds <= 3.5 }).toEqual({ target: r.target, seconds: true });
      }
    });

    it('gets only 2xx answers and no errors from every target under load', () => {
      for (const r of result.rows) {
        expect({ target: r.target, requests: r.requests > 0, non2xx: r.non2xx, errors: r.errors, died: r.exitedDuringRun }).toEqual({
          target: r.target,
          requests: true,
          non2xx: 0,
          errors: 0,
          died: [],
        });
      }
    });

    it('costs the floors two Redis commands per request (GETEX session, GETEX cart), the Express peer two (GET, EXPIRE)', () => {
      for (const target of ['floor-one-process', 'floor-same-shape', 'express-connect-redis'] as const) {
        const measured = result.rows.find((r) => r.target === target);
        // About 2: at this tiny scale the bench's own INFO reads add a few commands to a few hundred requests.
        const commands = measured?.redisCommandsPerRequest ?? NaN;
        expect({ target, commands, aboutTwo: commands >= 1.95 && commands <= 2.25 }).toEqual({ target, commands, aboutTwo: true });
      }
      expect(result.rows.find((r) => r.target === 'express-memorystore')?.redisCommandsPerRequest).toBeUndefined();
    });

    it('says how each target got its sessions: login for statelab and Express, written for the floors', () => {
      expect(result.rows.filter((r) => r.sessions === 'written').map((r) => r.target)).toEqual(['floor-one-process', 'floor-same-shape']);
    });

    it('prints the table and a verdict for every ratio with a target', () => {
      const text = formatPeersBench(result, describeMachine());
      for (const target of PEERS_TARGETS) expect(text).toMatch(new RegExp(`^${target} `, 'm'));
      expect(text).toContain('ratios (same run):');
      const withTargets = result.ratios.filter((r) => r.atLeast !== undefined);
      expect(withTargets).toHaveLength(3);
      for (const ratio of withTargets) {
        expect(Number.isFinite(ratio.throughputRatio)).toBe(true);
        expect(['meets', 'misses']).toContain(ratio.verdict);
        expect(ratio.verdict === 'meets').toBe((ratio.throughputRatio ?? 0) >= (ratio.atLeast ?? Infinity));
      }
    });
  });
});
