/**
 * A small seeded pseudo-random generator for simulation, so a walk is reproducible from its seed on
 * any machine and any Node version (Math.random cannot be seeded). The generator is xoshiro128**
 * (Blackman and Vigna); each (seed, walk index) pair gets its own stream, its state derived from the
 * pair by a 32-bit avalanche mix.
 */

/** A 32-bit avalanche finaliser: every input bit flips each output bit with probability about 1/2. */
export function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

/** xoshiro128**: 32-bit outputs, period 2^128 − 1. */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /** A generator with the given 128-bit state (four 32-bit words, not all zero). */
  constructor(s0: number, s1: number, s2: number, s3: number) {
    if ((s0 | s1 | s2 | s3) === 0) throw new RangeError("xoshiro128** needs a non-zero state");
    this.s0 = s0 | 0;
    this.s1 = s1 | 0;
    this.s2 = s2 | 0;
    this.s3 = s3 | 0;
  }

  /**
   * The generator of walk `walk` of a simulation seeded with `seed`: a function of the pair only, so
   * a walk is the same whichever shard runs it. The first three state words are a triangular chain of
   * bijections of (seed, low, high), so distinct pairs always get distinct states (deriving a 32-bit
   * seed first would give equal walks by birthday collisions after some 2^16 walks); the fourth is
   * non-zero whenever the others are all zero.
   */
  static forWalk(seed: number, walk: number): Random {
    if (!Number.isSafeInteger(walk) || walk < 0)
      throw new RangeError(`walk index must be a safe integer ≥ 0, got ${walk}`);
    const s0 = mix32((seed >>> 0) ^ 0x9e3779b9);
    const s1 = mix32((walk >>> 0) ^ s0);
    const s2 = mix32(Math.floor(walk / 2 ** 32) ^ s1 ^ 0x7f4a7c15);
    const s3 = mix32((s0 + s1 + s2 + 0x632be5ab) | 0);
    const random = new Random(s0, s1, s2, s3);
    // The first outputs of xoshiro depend on few state bits; discarding some decorrelates neighbours.
    for (let i = 0; i < 8; i++) random.nextUint32();
    return random;
  }

  /** The next 32-bit output, as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** A uniform integer in [0, n), without modulo bias; n must be an integer in [1, 2^32]. */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`below(n) needs 1 ≤ n ≤ 2^32, got ${n}`);
    // Reject the top 2^32 mod n outputs, which would make small results slightly more likely.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }
}
