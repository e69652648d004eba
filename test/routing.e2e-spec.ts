import { startLab, StartedLab } from '../tools/kit';
import { labCall, Shopper } from './support/shopper';

async function loginMany(url: string, count: number, firstUser: number): Promise<Shopper[]> {
  const shoppers: Shopper[] = [];
  for (let start = 0; start < count; start += 10) {
    const batch = Array.from({ length: Math.min(10, count - start) }, async (_, i) => {
      const shopper = new Shopper(url, `user${firstUser + start + i}`);
      expect((await shopper.login()).status).toBe(200);
      return shopper;
    });
    shoppers.push(...(await Promise.all(batch)));
  }
  return shoppers;
}

describe('routing in stateful mode', () => {
  describe('with round-robin', () => {
    let lab: StartedLab;
    beforeAll(async () => (lab = await startLab({ mode: 'stateful', routing: 'round-robin' })), 90000);
    afterAll(() => lab?.stop());

    it('loses the session on the replicas that did not create it, as the seed warns', async () => {
      const shopper = (await loginMany(lab.url, 1, 500))[0];
      const statuses: number[] = [];
      const codes = new Set<string>();
      for (let i = 0; i < 12; i++) {
        const reply = await shopper.get('/api/me');
        statuses.push(reply.status);
        if (reply.status !== 200) codes.add(reply.body.error.code);
      }
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(0);
      expect(statuses.filter((s) => s === 401).length).toBeGreaterThanOrEqual(6);
      expect([...codes]).toEqual(['session_lost']);
      const metrics = await (await fetch(`${lab.url}/metrics`)).text();
      expect(metrics).toMatch(/^lab_session_lookups_total\{(?=[^}]*mode="stateful")(?=[^}]*reason="lost")[^}]*\} [1-9]/m);
    });
  });

  describe.each([
    ['sticky-modulo', 0.8],
    ['sticky-ring', 0.4],
  ] as const)('rescaling users 3 -> 5 under %s', (routing, expectedRatio) => {
    let lab: StartedLab;
    beforeAll(async () => (lab = await startLab({ mode: 'stateful', routing })), 90000);
    afterAll(() => lab?.stop());

    it(`moves about ${expectedRatio * 100} % of session keys and loses exactly the moved sessions`, async () => {
      const shoppers = await loginMany(lab.url, 120, 600);
      const scale = await labCall(lab.url, 'POST', '/lab/scale', { service: 'user', replicas: 5 });
      expect(scale.status).toBe(200);
      expect(scale.body).toMatchObject({ service: 'user', routing, from: 3, to: 5, knownKeys: 120 });
      expect(scale.body.keysMovedRatio).toBeCloseTo(expectedRatio, 0);
      expect(Math.abs(scale.body.keysMovedRatio - expectedRatio)).toBeLessThan(0.13);

      let lost = 0;
      const newReplicas = new Set<string>();
      for (const shopper of shoppers) {
        const me = await shopper.get('/api/me');
        if (me.status === 401) {
          expect(me.body.error.code).toBe('session_lost');
          lost++;
          if (routing === 'sticky-ring') newReplicas.add(me.servedBy[0]);
        } else {
          expect(me.status).toBe(200);
        }
      }
      expect(lost).toBe(scale.body.keysMoved);
      // A ring only hands keys to the newcomers; it never reshuffles the old replicas.
      for (const id of newReplicas) expect(['user-4', 'user-5']).toContain(id);
      const topology = await labCall(lab.url, 'GET', '/lab/topology');
      expect(topology.body.services.user.map((r: { id: string; active: boolean; up: boolean }) => [r.id, r.active, r.up])).toEqual([
        ['user-1', true, true],
        ['user-2', true, true],
        ['user-3', true, true],
        ['user-4', true, true],
        ['user-5', true, true],
      ]);
    });
  });
});
