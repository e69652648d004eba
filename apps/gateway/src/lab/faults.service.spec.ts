import { LabHttpException } from '../http/lab-http.exception';
import { fakeReplicas } from '../testing/fake-replicas';

describe('FaultsService', () => {
  it('hands each replica only the faults of its service and its own hang', () => {
    const { faults } = fakeReplicas();
    faults.set('latency.cart', 100);
    faults.set('failure.user', 10);
    faults.set('hang.cart-2', 1);
    faults.set('latency.redis', 5);
    faults.set('login.slow', 300);
    expect(faults.forReplica('cart-2')).toEqual({ latencyMs: 100, failurePercent: 0, hang: true, storeLatencyMs: 5, loginSlowMs: 0 });
    expect(faults.forReplica('cart-1')).toEqual({ latencyMs: 100, failurePercent: 0, hang: false, storeLatencyMs: 5, loginSlowMs: 0 });
    expect(faults.forReplica('user-3')).toEqual({ latencyMs: 0, failurePercent: 10, hang: false, storeLatencyMs: 5, loginSlowMs: 300 });
  });

  it('lists hang.<id> for every replica it knows, and turns a fault off at 0', () => {
    const { faults } = fakeReplicas();
    faults.set('latency.product', 20);
    faults.set('latency.product', 0);
    const listed = faults.list();
    expect(listed.find((f) => f.name === 'latency.product')?.value).toBe(0);
    expect(listed.filter((f) => f.name.startsWith('hang.')).map((f) => f.name)).toHaveLength(12);
  });

  it('refuses unknown names and values out of range', () => {
    const { faults } = fakeReplicas();
    expect(() => faults.set('hang.cart-9', 1)).toThrow(LabHttpException);
    expect(() => faults.set('failure.cart', 150)).toThrow('failure.cart takes a value from 0 to 100 %');
    expect(() => faults.set('hang.cart-1', 2)).toThrow('(0 off, 1 on)');
  });

  it('reports every value as lab_fault_active and clears them all on reset', async () => {
    const { faults, telemetry } = fakeReplicas();
    faults.set('latency.user', 50);
    expect(await telemetry.metrics.render()).toMatch(/^lab_fault_active\{fault="latency.user"\} 50$/m);
    faults.reset();
    expect(await telemetry.metrics.render()).toMatch(/^lab_fault_active\{fault="latency.user"\} 0$/m);
    expect(faults.forReplica('user-1').latencyMs).toBe(0);
  });
});
