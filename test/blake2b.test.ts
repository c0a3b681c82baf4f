/**
 * BLAKE2b-256 (spec/hash/blake2b.ts) against the independent @noble/hashes
 * implementation, plus a fixed vector and a check that the generated
 * compression file is up to date with its generator.
 */
import { readFileSync } from "node:fs";
import { blake2b } from "@noble/hashes/blake2.js";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_OPTIONS, generate, OUTPUT } from "../scripts/gen-blake2b.js";
import {
  blake2b256,
  digestBytesToWords,
  digestWordsToBytes,
  hashInnerInto,
  hashInnerPairInto,
  hashLeafInto,
  hashLeavesInto,
} from "../spec/hash/blake2b.js";

const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");

/** Reference: noble BLAKE2b with a 32-byte digest. */
const ref = (data: Uint8Array): string => hex(blake2b(data, { dkLen: 32 }));

/** Reference leaf hash H(0x00 ‖ data). */
function refLeaf(data: Uint8Array): string {
  const input = new Uint8Array(data.length + 1);
  input.set(data, 1);
  return ref(input);
}

/** Reference inner node H(0x01 ‖ left ‖ right) of two 32-byte digests. */
function refInner(left: Uint8Array, right: Uint8Array): string {
  const input = new Uint8Array(65);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 33);
  return ref(input);
}

/** Deterministic pseudo-random bytes. */
function bytes(n: number, seed = n): Uint8Array {
  const b = new Uint8Array(n);
  let x = (seed * 0x9e3779b1 + 0x7f4a7c15) | 0;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x >>> 24;
  }
  return b;
}

const wordsHex = (w: Uint32Array, off: number): string => hex(digestWordsToBytes(w, off));

describe("blake2b256", () => {
  it("matches the known BLAKE2b-256 digests of '' and 'abc'", () => {
    const empty = "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8";
    const abc = "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319";
    const abcBytes = new TextEncoder().encode("abc");
    expect(ref(new Uint8Array(0))).toBe(empty);
    expect(ref(abcBytes)).toBe(abc);
    expect(hex(blake2b256(new Uint8Array(0)))).toBe(empty);
    expect(hex(blake2b256(abcBytes))).toBe(abc);
  });

  it("is BLAKE2b with a 32-byte digest, not truncated BLAKE2b-512", () => {
    const data = bytes(10);
    const truncated = hex(blake2b(data, { dkLen: 64 }).subarray(0, 32));
    expect(hex(blake2b256(data))).not.toBe(truncated);
  });

  it("equals noble for every length 0..300", () => {
    for (let n = 0; n <= 300; n++) {
      const data = bytes(n);
      expect(hex(blake2b256(data)), `length ${n}`).toBe(ref(data));
    }
  });

  it("equals noble for block-boundary lengths and a large input", () => {
    for (const n of [383, 384, 385, 511, 512, 513, 1023, 1024, 1025, 4096, 65534, 65535, 65536, 100_003]) {
      const data = bytes(n);
      expect(hex(blake2b256(data)), `length ${n}`).toBe(ref(data));
    }
  });

  // Lengths are drawn uniformly (fast-check's own array arbitraries favour short arrays).
  it("equals noble for random inputs up to 10 000 bytes (any byte offset in the buffer)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer(), fc.nat(7), (n, seed, shift) => {
        const data = bytes(n, seed);
        // place the input at an arbitrary byte offset of a larger buffer
        const buf = new Uint8Array(data.length + shift + 3);
        buf.set(data, shift);
        const view = buf.subarray(shift, shift + data.length);
        expect(hex(blake2b256(view))).toBe(ref(data));
      }),
      { numRuns: 200 },
    );
  });

  it("handles Node Buffers (pooled, non-zero byteOffset)", () => {
    for (const n of [0, 5, 127, 300, 1000]) {
      const b = Buffer.from(bytes(n));
      expect(hex(blake2b256(b))).toBe(ref(new Uint8Array(b)));
    }
  });

  it("reads an input that ends at the very end of its buffer", () => {
    // 4 KiB and more are read through a word view of the whole buffer
    for (const total of [5117, 5118, 5119, 5120]) {
      const buf = bytes(total, 99);
      for (const start of [0, 1, 2, 3, 5]) {
        const view = buf.subarray(start);
        expect(hex(blake2b256(view)), `total ${total} start ${start}`).toBe(ref(view.slice()));
      }
    }
  });
});

const LEAF_LENGTHS = [
  0, 1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 60, 63, 64, 65, 66, 67, 68, 69, 100, 126, 127, 128, 129, 130, 195, 196,
  197, 254, 255, 256, 257, 302, 383, 384, 385, 1000, 4095, 65534,
];

describe("hashLeafInto", () => {
  it("equals noble H(0x00 ‖ leaf) for boundary lengths, offsets and output offsets", () => {
    for (const n of LEAF_LENGTHS) {
      for (const offset of [0, 1, 2, 3, 6]) {
        const src = bytes(n + offset + 5, n * 7 + offset);
        const leaf = src.subarray(offset, offset + n);
        const out = new Uint32Array(24).fill(0xdeadbeef);
        hashLeafInto(src, offset, n, out, 9);
        expect(wordsHex(out, 9), `length ${n} offset ${offset}`).toBe(refLeaf(leaf));
        // nothing outside the digest slot is touched
        expect(out[8]).toBe(0xdeadbeef);
        expect(out[17]).toBe(0xdeadbeef);
      }
    }
  });

  it("equals noble for inputs in a view with a misaligned byteOffset, up to the buffer end", () => {
    for (const n of [16, 67, 100, 255, 256, 257, 300, 4096, 5001]) {
      for (const viewStart of [0, 1, 2, 3]) {
        for (const tail of [0, 1, 2, 3]) {
          const buf = bytes(viewStart + 2 + n + tail, n + viewStart * 11 + tail);
          const src = buf.subarray(viewStart);
          const out = new Uint32Array(8);
          hashLeafInto(src, 2, n, out, 0);
          expect(wordsHex(out, 0), `n ${n} viewStart ${viewStart} tail ${tail}`).toBe(refLeaf(src.slice(2, 2 + n)));
        }
      }
    }
  });

  it("equals noble for random leaves (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2000 }),
        fc.integer(),
        fc.nat(9),
        fc.nat(9),
        fc.nat(3),
        (n, seed, before, after, outOffset) => {
          const leaf = bytes(n, seed);
          const src = new Uint8Array(before + leaf.length + after);
          src.set(leaf, before);
          const out = new Uint32Array(8 + outOffset);
          hashLeafInto(src, before, leaf.length, out, outOffset);
          expect(wordsHex(out, outOffset)).toBe(refLeaf(leaf));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("rejects a range outside the input", () => {
    const out = new Uint32Array(8);
    expect(() => hashLeafInto(new Uint8Array(10), 5, 6, out, 0)).toThrow(RangeError);
    expect(() => hashLeafInto(new Uint8Array(10), -1, 2, out, 0)).toThrow(RangeError);
  });
});

describe("hashLeavesInto", () => {
  it("equals per-leaf noble hashes for many symbol sizes, counts and offsets", () => {
    for (const size of [2, 4, 6, 7, 14, 16, 30, 66, 67, 68, 100, 126, 127, 128, 254, 256, 302, 1000]) {
      for (const offset of [0, 1, 3]) {
        const count = 1 + ((size * 3 + offset) % 13);
        const src = bytes(offset + size * count + 2, size + offset);
        const out = new Uint32Array(8 * count + 5);
        hashLeavesInto(src, offset, size, count, out, 5);
        for (let i = 0; i < count; i++) {
          const leaf = src.subarray(offset + i * size, offset + (i + 1) * size);
          expect(wordsHex(out, 5 + 8 * i), `size ${size} offset ${offset} leaf ${i}`).toBe(refLeaf(leaf));
        }
      }
    }
  });

  it("reads batches through a misaligned view up to the end of the buffer", () => {
    for (const size of [16, 17, 18, 19, 67, 68, 69, 130, 302]) {
      for (const viewStart of [0, 1, 2, 3]) {
        for (const offset of [0, 1, 2, 3]) {
          const count = 5;
          const buf = bytes(viewStart + offset + size * count, size * 13 + viewStart * 5 + offset);
          const src = buf.subarray(viewStart);
          const out = new Uint32Array(8 * count);
          hashLeavesInto(src, offset, size, count, out, 0);
          for (let i = 0; i < count; i++) {
            const leaf = src.slice(offset + i * size, offset + (i + 1) * size);
            expect(wordsHex(out, 8 * i), `size ${size} view ${viewStart} offset ${offset} leaf ${i}`).toBe(
              refLeaf(leaf),
            );
          }
        }
      }
    }
  });

  it("handles a 65534-byte symbol size", () => {
    const size = 65534;
    const src = bytes(1 + 2 * size, 5);
    const out = new Uint32Array(16);
    hashLeavesInto(src, 1, size, 2, out, 0);
    expect(wordsHex(out, 0)).toBe(refLeaf(src.subarray(1, 1 + size)));
    expect(wordsHex(out, 8)).toBe(refLeaf(src.subarray(1 + size, 1 + 2 * size)));
  });

  it("agrees with hashLeafInto on random batches (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 0, max: 12 }),
        fc.nat(5),
        (size, count, offset) => {
          const src = bytes(offset + size * count, size * 31 + count);
          const out = new Uint32Array(8 * count);
          hashLeavesInto(src, offset, size, count, out, 0);
          const one = new Uint32Array(8);
          for (let i = 0; i < count; i++) {
            hashLeafInto(src, offset + i * size, size, one, 0);
            expect(wordsHex(out, 8 * i)).toBe(wordsHex(one, 0));
            expect(wordsHex(one, 0)).toBe(refLeaf(src.subarray(offset + i * size, offset + (i + 1) * size)));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("accepts count 0 and writes nothing", () => {
    const out = new Uint32Array(8).fill(7);
    hashLeavesInto(new Uint8Array(0), 0, 10, 0, out, 0);
    expect([...out]).toEqual(new Array(8).fill(7));
  });
});

describe("hashInnerInto / hashInnerPairInto", () => {
  const zero = new Uint8Array(32);

  /** Digest bytes -> words at `off` of a fresh array of `len` words. */
  function wordsOf(digests: Uint8Array[], len: number, offsets: number[]): Uint32Array {
    const w = new Uint32Array(len);
    digests.forEach((d, i) => {
      digestBytesToWords(d, 0, w, offsets[i]!);
    });
    return w;
  }

  it("equals noble H(0x01 ‖ left ‖ right), including all-zero (empty) digests", () => {
    const cases: Array<[Uint8Array, Uint8Array]> = [
      [bytes(32, 1), bytes(32, 2)],
      [zero, bytes(32, 3)],
      [bytes(32, 4), zero],
      [zero, zero],
      [new Uint8Array(32).fill(0xff), new Uint8Array(32).fill(0xff)],
    ];
    for (const [l, r] of cases) {
      const words = wordsOf([l, r], 40, [3, 21]);
      const out = new Uint32Array(12);
      hashInnerInto(words, 3, 21, out, 2);
      expect(wordsHex(out, 2)).toBe(refInner(l, r));
      const left = wordsOf([l], 9, [1]);
      const right = wordsOf([r], 8, [0]);
      const out2 = new Uint32Array(8);
      hashInnerPairInto(left, 1, right, 0, out2, 0);
      expect(wordsHex(out2, 0)).toBe(refInner(l, r));
    }
  });

  it("equals noble for random digests and offsets (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.nat(5),
        fc.nat(5),
        fc.nat(5),
        (l, r, lo, ro, oo) => {
          // left at words[lo .. lo + 8), lo <= 5; right at words[13 + ro .. 21 + ro)
          const words = wordsOf([l, r], 26, [lo, 13 + ro]);
          const out = new Uint32Array(8 + oo);
          hashInnerInto(words, lo, 13 + ro, out, oo);
          expect(wordsHex(out, oo)).toBe(refInner(l, r));
          const left = wordsOf([l], 8 + lo, [lo]);
          const right = wordsOf([r], 8 + ro, [ro]);
          hashInnerPairInto(left, lo, right, ro, out, oo);
          expect(wordsHex(out, oo)).toBe(refInner(l, r));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("may write over its own inputs (building a tree level in place)", () => {
    const l = bytes(32, 8);
    const r = bytes(32, 9);
    const words = wordsOf([l, r], 16, [0, 8]);
    hashInnerInto(words, 0, 8, words, 0);
    expect(wordsHex(words, 0)).toBe(refInner(l, r));
    const words2 = wordsOf([l, r], 16, [0, 8]);
    hashInnerInto(words2, 0, 8, words2, 8);
    expect(wordsHex(words2, 8)).toBe(refInner(l, r));
  });

  it("matches a small Merkle tree built from leaves with noble", () => {
    const size = 10;
    const n = 8;
    const src = bytes(size * n, 77);
    const level = new Uint32Array(8 * n);
    hashLeavesInto(src, 0, size, n, level, 0);
    let refLevel: Uint8Array[] = [];
    for (let i = 0; i < n; i++) refLevel.push(Buffer.from(refLeaf(src.subarray(i * size, (i + 1) * size)), "hex"));
    for (let width = n; width > 1; width >>= 1) {
      for (let i = 0; i < width / 2; i++) hashInnerInto(level, 16 * i, 16 * i + 8, level, 8 * i);
      const next: Uint8Array[] = [];
      for (let i = 0; i < width / 2; i++)
        next.push(Buffer.from(refInner(refLevel[2 * i]!, refLevel[2 * i + 1]!), "hex"));
      refLevel = next;
    }
    expect(wordsHex(level, 0)).toBe(hex(refLevel[0]!));
  });
});

describe("interleaved use of the shared scratch state", () => {
  it("gives the same results when long, short and inner hashes alternate", () => {
    const long = bytes(1000, 1);
    const short = bytes(20, 2);
    const l = bytes(32, 3);
    const r = bytes(32, 4);
    const words = new Uint32Array(16);
    digestBytesToWords(l, 0, words, 0);
    digestBytesToWords(r, 0, words, 8);
    const out = new Uint32Array(8);
    for (let i = 0; i < 3; i++) {
      hashLeafInto(long, 0, long.length, out, 0);
      expect(wordsHex(out, 0)).toBe(refLeaf(long));
      hashInnerInto(words, 0, 8, out, 0);
      expect(wordsHex(out, 0)).toBe(refInner(l, r));
      expect(hex(blake2b256(short))).toBe(ref(short));
      hashLeafInto(short, 0, short.length, out, 0);
      expect(wordsHex(out, 0)).toBe(refLeaf(short));
      expect(hex(blake2b256(long))).toBe(ref(long));
    }
  });
});

describe("digest word/byte conversion", () => {
  it("round-trips and is little-endian", () => {
    const d = bytes(32, 12);
    const w = new Uint32Array(11);
    digestBytesToWords(d, 0, w, 3);
    expect(w[3]).toBe((d[0]! | (d[1]! << 8) | (d[2]! << 16) | (d[3]! << 24)) >>> 0);
    expect(hex(digestWordsToBytes(w, 3))).toBe(hex(d));
    const into = new Uint8Array(40);
    const ret = digestWordsToBytes(w, 3, into, 5);
    expect(ret).toBe(into);
    expect(hex(into.subarray(5, 37))).toBe(hex(d));
    const back = new Uint32Array(8);
    digestBytesToWords(into, 5, back, 0);
    expect([...back]).toEqual([...w.subarray(3, 11)]);
  });
});

describe("generated compression code", () => {
  it("is up to date with scripts/gen-blake2b.ts", () => {
    expect(readFileSync(OUTPUT, "utf8")).toBe(generate(DEFAULT_OPTIONS));
  });
});
