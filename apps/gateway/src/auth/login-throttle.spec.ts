import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let now: number;
  const throttle = () => new LoginThrottle({ failuresPerAccount: 3, failuresPerClient: 5, windowSeconds: 60 }, () => now);
  beforeEach(() => (now = 1_000_000));

  it('lets an account fail its allowance, then asks it to wait until the window ends', () => {
    const t = throttle();
    for (let i = 0; i < 3; i++) {
      expect(t.retryAfterSeconds('user1', '10.0.0.1')).toBe(0);
      t.recordFailure('user1', `10.0.0.${i}`);
    }
    expect(t.retryAfterSeconds('user1', '10.0.0.9')).toBe(60);
    now += 45_000;
    expect(t.retryAfterSeconds('user1', '10.0.0.9')).toBe(15);
    now += 15_000;
    expect(t.retryAfterSeconds('user1', '10.0.0.9')).toBe(0);
  });

  it('throttles one address guessing many accounts', () => {
    const t = throttle();
    for (let i = 0; i < 5; i++) t.recordFailure(`user${i}`, '10.0.0.1');
    expect(t.retryAfterSeconds('user99', '10.0.0.1')).toBe(60);
    expect(t.retryAfterSeconds('user99', '10.0.0.2')).toBe(0);
  });

  it('never throttles good passwords, and a good one clears the account', () => {
    const t = throttle();
    t.recordFailure('user1', 'a');
    t.recordFailure('user1', 'a');
    t.recordSuccess('user1');
    t.recordFailure('user1', 'a');
    expect(t.retryAfterSeconds('user1', 'b')).toBe(0);
  });

  it('keeps a bounded table', () => {
    const t = new LoginThrottle({ failuresPerAccount: 3, failuresPerClient: 5, windowSeconds: 60 }, () => now, 10);
    for (let i = 0; i < 100; i++) t.recordFailure(`user${i}`, `10.0.${i}.1`);
    expect((t as unknown as { windows: Map<string, unknown> }).windows.size).toBe(10);
  });
});
