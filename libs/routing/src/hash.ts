const FNV_OFFSET_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
// A module-level alias: under Node's vm contexts (Jest's test environment) every lookup of the
// global `Math` goes through an interceptor and costs ~100x more than the multiply itself.
const imul = Math.imul;

/**
 * Folds the UTF-8 bytes of `s` into a running FNV-1a 32 state, so that
 * `fnv1a(b, fnv1a(a, FNV_OFFSET_BASIS)) === fnv1a(a + b, FNV_OFFSET_BASIS)`.
 * Encoding on the fly keeps the result equal to FNV-1a over `Buffer.from(s, 'utf8')`
 * (the reference definition, and what other languages compute) without allocating.
 */
export function fnv1a(s: string, state: number): number {
  let h = state;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c < 0x800) {
      h = imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const low = s.charCodeAt(i + 1);
        if (low >= 0xdc00 && low < 0xe000) {
          i++;
          c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
          h = imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
          h = imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
          h = imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
          h = imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
          continue;
        }
      }
      // A lone surrogate encodes as U+FFFD, as Buffer.from(s, 'utf8') does.
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      h = imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      h = imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h;
}

/** murmur3's 32-bit finalizer: every input bit flips each output bit with probability ~1/2. */
export function fmix32(state: number): number {
  let h = state;
  h ^= h >>> 16;
  h = imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The FNV-1a 32 state of the empty string, the seed for {@link fnv1a}. */
export const FNV1A_SEED = FNV_OFFSET_BASIS;

/**
 * A fast, non-cryptographic, unsigned 32-bit hash of `s`: FNV-1a 32 over its UTF-8 bytes,
 * then murmur3's fmix32 finalizer (32-bit multiplies via Math.imul). FNV-1a alone mixes poorly into the high bits and
 * barely changes for a different last byte (`cart-1` vs `cart-2`); the finalizer gives the
 * avalanche that modulo and rendezvous selection need. Not for untrusted-input hash tables
 * or anything security related: collisions are easy to construct.
 */
export function hash32(s: string): number {
  return fmix32(fnv1a(s, FNV_OFFSET_BASIS));
}
