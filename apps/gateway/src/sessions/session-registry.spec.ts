import { SessionRegistry } from './session-registry';

describe('SessionRegistry', () => {
  let now = 0;
  const registry = () => new SessionRegistry(60_000, 3, () => now);

  beforeEach(() => {
    now = 1_000_000;
  });

  describe('end()', () => {
    it('makes a live session not live', () => {
      const sessions = registry();
      sessions.touch('a');
      sessions.end('a');
      expect(sessions.isLive('a')).toBe(false);
      expect(sessions.size).toBe(0);
    });

    it('keeps a lookup that answers after the end from making the session live again', () => {
      const sessions = registry();
      sessions.touch('a');
      sessions.end('a');
      sessions.touch('a');
      expect(sessions.isLive('a')).toBe(false);
    });

    it('remembers ended ids for one TTL, and at most its capacity of them', () => {
      const sessions = registry();
      sessions.end('a');
      now += 60_000;
      sessions.end('b');
      sessions.touch('a');
      expect(sessions.isLive('a')).toBe(true);
      for (const id of ['c', 'd', 'e']) sessions.end(id);
      sessions.touch('b');
      expect(sessions.isLive('b')).toBe(true);
    });
  });
});
