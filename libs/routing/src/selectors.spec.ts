import { randomBytes } from 'node:crypto';
import type { Routing } from '@app/config';
import { hash32 } from './hash';
import {
  countMovedKeys,
  createSelector,
  isSticky,
  ModuloSelector,
  NoReplicaError,
  ownerOf,
  RendezvousSelector,
  ReplicaSelector,
  RoundRobinSelector,
} from './selectors';

const KEY_COUNT = 20_000;
const TOLERANCE = 0.03;

function randomKeys(count: number): string[] {
  return Array.from({ length: count }, () => randomBytes(16).toString('base64url'));
}

function replicas(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `cart-${i + 1}`);
}

function shares(selector: ReplicaSelector, members: readonly string[], keys: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>(members.map((m) => [m, 0]));
  for (const key of keys) {
    const owner = selector.pick(members, key);
    counts.set(owner, (counts.get(owner) ?? 0) + 1);
  }
  return new Map([...counts].map(([member, count]) => [member, count / keys.length]));
}

const keys = randomKeys(KEY_COUNT);
const three = replicas(3);
const five = replicas(5);

describe('RoundRobinSelector', () => {
  it('cycles through the members in order and wraps around', () => {
    const selector = new RoundRobinSelector();
    const picks = Array.from({ length: 7 }, () => selector.pick(three));
    expect(picks).toEqual(['cart-1', 'cart-2', 'cart-3', 'cart-1', 'cart-2', 'cart-3', 'cart-1']);
  });

  it('ignores the key', () => {
    const selector = new RoundRobinSelector() as ReplicaSelector;
    expect([selector.pick(three, 'k'), selector.pick(three, 'k'), selector.pick(three, 'k')]).toEqual(three);
  });

  it('keeps rotating within range when the member list shrinks', () => {
    const selector = new RoundRobinSelector();
    selector.pick(five);
    selector.pick(five);
    selector.pick(five);
    expect([selector.pick(['cart-1', 'cart-2']), selector.pick(['cart-1', 'cart-2'])]).toEqual(['cart-2', 'cart-1']);
  });
});

describe('ModuloSelector', () => {
  it('picks members[hash32(key) % members.length]', () => {
    const selector = new ModuloSelector();
    for (const key of keys.slice(0, 100)) {
      expect(selector.pick(five, key)).toBe(five[hash32(key) % five.length]);
    }
  });

  it('rotates through the members when there is no key', () => {
    const selector = new ModuloSelector();
    expect([selector.pick(three), selector.pick(three), selector.pick(three), selector.pick(three)]).toEqual([
      'cart-1',
      'cart-2',
      'cart-3',
      'cart-1',
    ]);
  });
});

describe('RendezvousSelector', () => {
  it('picks the member with the highest hash32(key + NUL + member)', () => {
    const selector = new RendezvousSelector();
    for (const key of keys.slice(0, 200)) {
      const scores = five.map((member) => hash32(`${key}\0${member}`));
      expect(selector.pick(five, key)).toBe(five[scores.indexOf(Math.max(...scores))]);
    }
  });

  it('gives the same owner whatever the order of the members', () => {
    const selector = new RendezvousSelector();
    const reversed = [...five].reverse();
    for (const key of keys.slice(0, 1000)) {
      expect(selector.pick(reversed, key)).toBe(selector.pick(five, key));
    }
  });

  it('breaks a tie between equal scores in favour of the smaller id', () => {
    const selector = new RendezvousSelector();
    expect(selector.pick(['cart-2', 'cart-2', 'cart-1'], 'k')).toBe(selector.pick(['cart-1', 'cart-2'], 'k'));
    expect(selector.pick(['cart-3', 'cart-3'], 'k')).toBe('cart-3');
  });

  it('rotates through the members when there is no key', () => {
    const selector = new RendezvousSelector();
    expect([selector.pick(three), selector.pick(three), selector.pick(three)]).toEqual(three);
  });

  it('spreads keys within 10 % of an even share over 16 replicas', () => {
    const sixteen = replicas(16);
    for (const share of shares(new RendezvousSelector(), sixteen, randomKeys(64_000)).values()) {
      expect(Math.abs(share - 1 / 16)).toBeLessThan(0.1 / 16);
    }
  });
});

describe.each([
  ['sticky-modulo', ModuloSelector],
  ['sticky-ring', RendezvousSelector],
] as const)('%s selector', (_routing, Selector) => {
  it('always sends a key to the same replica, across selector instances', () => {
    const first = new Selector();
    const second = new Selector();
    for (const key of keys.slice(0, 1000)) {
      const owner = first.pick(three, key);
      expect(first.pick(three, key)).toBe(owner);
      expect(second.pick(three, key)).toBe(owner);
    }
  });

  it('gives each of 3 replicas a share within 5 % of a third', () => {
    const byMember = shares(new Selector(), three, keys);
    expect([...byMember.keys()]).toEqual(three);
    for (const share of byMember.values()) {
      expect(Math.abs(share - 1 / 3)).toBeLessThan(0.05 / 3);
    }
  });
});

describe('an empty member list', () => {
  it.each(['round-robin', 'sticky-modulo', 'sticky-ring'] as const)('makes the %s selector throw NoReplicaError', (routing) => {
    const selector = createSelector(routing);
    expect(() => selector.pick([], 'key')).toThrow(NoReplicaError);
    expect(() => selector.pick([])).toThrow('cannot pick a replica: the member list is empty');
  });

  it('makes ownerOf throw for a sticky routing', () => {
    expect(() => ownerOf('sticky-ring', [], 'key')).toThrow(NoReplicaError);
  });
});

describe('createSelector()', () => {
  it('returns the selector behind each routing', () => {
    expect(createSelector('round-robin')).toBeInstanceOf(RoundRobinSelector);
    expect(createSelector('sticky-modulo')).toBeInstanceOf(ModuloSelector);
    expect(createSelector('sticky-ring')).toBeInstanceOf(RendezvousSelector);
    expect(createSelector('sticky-cookie')).toBeInstanceOf(RoundRobinSelector);
    expect(createSelector('ip-hash')).toBeInstanceOf(ModuloSelector);
  });

  it('gives each selector its own rotation', () => {
    const a = createSelector('round-robin');
    const b = createSelector('round-robin');
    a.pick(three);
    expect(b.pick(three)).toBe('cart-1');
  });
});

describe('isSticky()', () => {
  it('is true only for the routings that pin a key to a replica', () => {
    expect(isSticky('round-robin')).toBe(false);
    expect(isSticky('sticky-modulo')).toBe(true);
    expect(isSticky('sticky-ring')).toBe(true);
  });

  it('is false for sticky-cookie and ip-hash, which pin a client, not a session key', () => {
    expect(isSticky('sticky-cookie')).toBe(false);
    expect(isSticky('ip-hash')).toBe(false);
  });
});

describe('ownerOf()', () => {
  it('is undefined under round-robin, where nothing is owned', () => {
    expect(ownerOf('round-robin', three, keys[0])).toBeUndefined();
  });

  it.each([
    ['sticky-modulo', ModuloSelector],
    ['sticky-ring', RendezvousSelector],
  ] as const)('agrees with the %s selector', (routing, Selector) => {
    const selector = new Selector();
    for (const key of keys.slice(0, 500)) expect(ownerOf(routing, five, key)).toBe(selector.pick(five, key));
  });
});

describe('countMovedKeys()', () => {
  function movedKeys(routing: Routing, before: readonly string[], after: readonly string[]): string[] {
    return keys.filter((key) => ownerOf(routing, before, key) !== ownerOf(routing, after, key));
  }

  it('moves about 80 % of keys when modulo goes from 3 to 5 replicas', () => {
    const result = countMovedKeys('sticky-modulo', keys, three, five);
    expect(result.total).toBe(KEY_COUNT);
    expect(result.ratio).toBeCloseTo(result.moved / result.total, 12);
    expect(Math.abs(result.ratio - 0.8)).toBeLessThan(TOLERANCE);
  });

  it('moves about 80 % of keys when modulo goes from 5 to 3 replicas', () => {
    const { ratio } = countMovedKeys('sticky-modulo', keys, five, three);
    expect(Math.abs(ratio - 0.8)).toBeLessThan(TOLERANCE);
  });

  it('moves about 40 % of keys, the minimum, when the ring goes from 3 to 5 replicas', () => {
    const { ratio } = countMovedKeys('sticky-ring', keys, three, five);
    expect(Math.abs(ratio - 0.4)).toBeLessThan(TOLERANCE);
  });

  it('moves keys only to the new replicas when the ring grows from 3 to 5', () => {
    const destinations = new Set(movedKeys('sticky-ring', three, five).map((key) => ownerOf('sticky-ring', five, key)));
    expect(destinations).toEqual(new Set(['cart-4', 'cart-5']));
  });

  it('moves about 40 % of keys, all from the removed replicas, when the ring shrinks from 5 to 3', () => {
    const { ratio } = countMovedKeys('sticky-ring', keys, five, three);
    expect(Math.abs(ratio - 0.4)).toBeLessThan(TOLERANCE);
    const origins = new Set(movedKeys('sticky-ring', five, three).map((key) => ownerOf('sticky-ring', five, key)));
    expect(origins).toEqual(new Set(['cart-4', 'cart-5']));
  });

  it('moves exactly the keys of the replica removed from the ring, even one in the middle', () => {
    const withoutTwo = ['cart-1', 'cart-3'];
    const ownedByTwo = keys.filter((key) => ownerOf('sticky-ring', three, key) === 'cart-2');
    expect(movedKeys('sticky-ring', three, withoutTwo)).toEqual(ownedByTwo);
    expect(countMovedKeys('sticky-ring', keys, three, withoutTwo).moved).toBe(ownedByTwo.length);
  });

  it('moves nothing under round-robin, which owns nothing', () => {
    expect(countMovedKeys('round-robin', keys, three, five)).toEqual({ total: KEY_COUNT, moved: 0, ratio: 0 });
  });

  it('reports a ratio of 0 when there are no keys', () => {
    expect(countMovedKeys('sticky-modulo', [], three, five)).toEqual({ total: 0, moved: 0, ratio: 0 });
  });

  it('accepts any iterable of keys', () => {
    function* generate(): Generator<string> {
      yield* keys.slice(0, 100);
    }
    expect(countMovedKeys('sticky-ring', generate(), three, five).total).toBe(100);
  });
});
