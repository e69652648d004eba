import { NO_FAULTS } from '@app/contracts';
import { ReplicaFaultState } from './replica-faults';

describe('ReplicaFaultState', () => {
  it('lets every call through while no fault is set', () => {
    expect(new ReplicaFaultState().beforeCall('cart.get')).toBeUndefined();
  });

  it('never delays, fails or hangs the lab’s own messages (health checks keep answering)', () => {
    const state = new ReplicaFaultState(() => 0);
    state.apply({ ...NO_FAULTS, hang: true, failurePercent: 100, latencyMs: 1000 });
    expect(state.beforeCall('lab.health')).toBeUndefined();
    expect(state.beforeCall('lab.crash')).toBeUndefined();
  });

  it('refuses every service call after a hand-off with 503 replica_restarting, but not the lab’s own', async () => {
    const state = new ReplicaFaultState();
    state.closeForRestart();
    await expect(state.beforeCall('cart.add-item')).rejects.toMatchObject({ status: 503, code: 'replica_restarting' });
    expect(state.beforeCall('lab.health')).toBeUndefined();
  });

  it('waits for the calls being handled before a hand-off copies the state', async () => {
    const state = new ReplicaFaultState();
    state.beforeCall('cart.add-item');
    let idle = false;
    const waiting = state.whenIdle(2000).then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(idle).toBe(false);
    state.afterCall('cart.add-item');
    await waiting;
    expect(idle).toBe(true);
  });

  it('hangs every call of a hung replica', () => {
    const state = new ReplicaFaultState();
    state.apply({ ...NO_FAULTS, hang: true });
    expect(state.beforeCall('cart.get')).toBe('hang');
  });

  it('fails the drawn share of calls with 500 injected_failure', async () => {
    const draws = [0.05, 0.5, 0.95];
    const state = new ReplicaFaultState(() => draws.shift() as number);
    state.apply({ ...NO_FAULTS, failurePercent: 50 });
    await expect(state.beforeCall('cart.get')).rejects.toMatchObject({ status: 500, code: 'injected_failure' });
    expect(state.beforeCall('cart.get')).toBeUndefined();
    expect(state.beforeCall('cart.get')).toBeUndefined();
  });

  it('delays calls by the latency set', async () => {
    const state = new ReplicaFaultState();
    state.apply({ ...NO_FAULTS, latencyMs: 60 });
    const started = Date.now();
    await state.beforeCall('cart.get');
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);
  });
});
