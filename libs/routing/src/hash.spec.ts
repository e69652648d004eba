import { randomBytes } from 'node:crypto';
import { hash32 } from './hash';

/** Textbook FNV-1a 32 over the UTF-8 bytes, then murmur3 fmix32, written independently. */
function referenceFnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Number((BigInt(h) * 0x01000193n) & 0xffffffffn);
  }
  return h;
}

function referenceFmix32(h: number): number {
  let x = BigInt(h);
  x ^= x >> 16n;
  x = (x * 0x85ebca6bn) & 0xffffffffn;
  x ^= x >> 13n;
  x = (x * 0xc2b2ae35n) & 0xffffffffn;
  x ^= x >> 16n;
  return Number(x);
}

function popcount(x: number): number {
  let n = 0;
  for (let v = x >>> 0; v !== 0; v &= v - 1) n++;
  return n;
}

describe('hash32()', () => {
  it('builds on the published FNV-1a 32 test vectors', () => {
    expect(referenceFnv1a('')).toBe(0x811c9dc5);
    expect(referenceFnv1a('a')).toBe(0xe40c292c);
    expect(referenceFnv1a('foobar')).toBe(0xbf9cf968);
  });

  it('equals fmix32(FNV-1a 32) over the UTF-8 bytes, non-ASCII included', () => {
    const samples = ['', 'a', 'foobar', 'cart-1', 'cart-16', 'é', '€uro', 'snow ☃', '😀 grin', 'lone \ud800 high', 'lone \udc00 low', 'end \ud83d'];
    for (let i = 0; i < 200; i++) samples.push(randomBytes(16).toString('base64url'));
    for (const s of samples) {
      expect(hash32(s)).toBe(referenceFmix32(referenceFnv1a(s)));
    }
  });

  it('returns an unsigned 32-bit integer', () => {
    for (let i = 0; i < 1000; i++) {
      const h = hash32(randomBytes(16).toString('base64url'));
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBeGreaterThanOrEqual(0);
      expect(h).toBeLessThanOrEqual(0xffffffff);
    }
  });

  it('flips about half of the output bits when one input bit flips', () => {
    let flippedBits = 0;
    const trials = 20000;
    for (let i = 0; i < trials; i++) {
      const key = randomBytes(16).toString('base64url');
      const position = i % key.length;
      // Bit 0 keeps the character ASCII, so exactly one input byte bit changes.
      const flipped = key.slice(0, position) + String.fromCharCode(key.charCodeAt(position) ^ 1) + key.slice(position + 1);
      flippedBits += popcount(hash32(key) ^ hash32(flipped));
    }
    expect(flippedBits / trials).toBeGreaterThan(15.8);
    expect(flippedBits / trials).toBeLessThan(16.2);
  });

  it('sets the top bit for about half of similar ids', () => {
    let high = 0;
    const total = 10000;
    for (let i = 0; i < total; i++) if (hash32(`cart-${i}`) >= 0x80000000) high++;
    expect(high / total).toBeGreaterThan(0.47);
    expect(high / total).toBeLessThan(0.53);
  });
});
