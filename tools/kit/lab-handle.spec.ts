import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { LabHandle } from './lab-handle';

/** A stand-in gateway: answers /lab/topology from `state` and /lab/replicas/:id/crash with `crashAnswers` in turn. */
function fakeGateway(state: { up: boolean; pid: number }, crashAnswers: Array<() => [number, unknown]>): Promise<{ server: Server; url: string; crashes: () => number }> {
  let crashes = 0;
  const server = createServer((request, response) => {
    const send = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/lab/topology') {
      const replica = { id: 'user-1', address: 'x', metricsUrl: 'x', up: state.up, active: true, pid: state.pid };
      return send(200, { mode: 'stateful', routing: 'sticky-ring', services: { user: [replica], cart: [], product: [] } });
    }
    if (request.url === '/lab/replicas/user-1/crash') {
      const [status, body] = crashAnswers[Math.min(crashes++, crashAnswers.length - 1)]();
      return send(status, body);
    }
    send(404, {});
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, crashes: () => crashes })));
}

const busy: () => [number, unknown] = () => [503, { error: { code: 'replica_unavailable', message: 'user-1 did not answer within 2000 ms' } }];

describe('LabHandle.crash()', () => {
  it('answers with the pid that died when the gateway says 202', async () => {
    const gateway = await fakeGateway({ up: true, pid: 41 }, [() => [202, { id: 'user-1', pid: 41, crashed: true }]]);
    const lab = await LabHandle.attach(gateway.url);
    await expect(lab.crash('user-1')).resolves.toBe(41);
    await lab.close();
    gateway.server.close();
  });

  it('on a 503 looks at the topology and does not crash again when the replica did go down', async () => {
    const state = { up: true, pid: 42 };
    const gateway = await fakeGateway(state, [
      () => {
        state.up = false; // the crash happened; only its answer was late
        return busy();
      },
    ]);
    const lab = await LabHandle.attach(gateway.url);
    await expect(lab.crash('user-1')).resolves.toBe(42);
    expect(gateway.crashes()).toBe(1);
    await lab.close();
    gateway.server.close();
  });

  it('asks again while the replica is still up, and succeeds when it answers', async () => {
    const gateway = await fakeGateway({ up: true, pid: 43 }, [busy, () => [202, { id: 'user-1', pid: 43, crashed: true }]]);
    const lab = await LabHandle.attach(gateway.url);
    await expect(lab.crash('user-1')).resolves.toBe(43);
    expect(gateway.crashes()).toBe(2);
    await lab.close();
    gateway.server.close();
  });

  it('fails with the reason after five tries when the replica never went down', async () => {
    const gateway = await fakeGateway({ up: true, pid: 44 }, [busy]);
    const lab = await LabHandle.attach(gateway.url);
    await expect(lab.crash('user-1')).rejects.toThrow(/crash user-1 \(asked 5 times; it never went down\).*503/);
    await lab.close();
    gateway.server.close();
  }, 20_000);
});
