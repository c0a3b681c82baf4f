/**
 * The encoder's WebAssembly SIMD butterflies (spec/codec/reed-solomon-wasm.ts) against the
 * TypeScript butterflies of spec/codec/reed-solomon.ts: identical recovery shards for both rates,
 * several chunks, odd lengths, offsets and strides, and blocks split small.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import {
  _setRsBlockingForTests,
  _setRsButterfliesForTests,
  rsEncodeInto,
  useHighRate,
} from "../spec/codec/reed-solomon.js";

/** rsEncodeInto with the given butterflies; the recovery shards, `m` × `length` elements. */
function encode(
  kind: "simd" | "script",
  k: number,
  m: number,
  src: Uint16Array,
  length: number,
  e0: number,
): Uint16Array {
  expect(_setRsButterfliesForTests(kind === "script" ? "script" : undefined)).toBe(kind);
  const dst = new Uint16Array(3 + m * (length + 1));
  rsEncodeInto(k, m, src, 5, length + 2, dst, 3, length + 1, e0, length);
  return dst;
}

function shards(k: number, length: number, seed: number): Uint16Array {
  const src = new Uint16Array(5 + k * (length + 2));
  let x = seed | 1;
  for (let i = 0; i < src.length; i++) {
    x = Math.imul(x, 1103515245) + 12345;
    src[i] = x >>> 16;
  }
  return src;
}

describe("SIMD Reed-Solomon butterflies", () => {
  afterEach(() => {
    _setRsButterfliesForTests();
    _setRsBlockingForTests();
  });

  for (const [k, m] of [
    [1, 1],
    [3, 2],
    [2, 3],
    [334, 666],
    [667, 333],
    [5, 1000],
    [1000, 24],
  ]) {
    it(`k = ${k}, m = ${m} (${useHighRate(k, m) ? "high" : "low"} rate): the same shards as TypeScript`, () => {
      for (const length of [1, 16, 17, 301]) {
        const src = shards(k, length, k + m + length);
        expect(encode("simd", k, m, src, length, 0)).toEqual(encode("script", k, m, src, length, 0));
      }
    });
  }

  it("random parameters, element ranges and small blocks: the same shards as TypeScript", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        fc.nat(),
        fc.boolean(),
        (k, m, length, seed, small) => {
          if (small) _setRsBlockingForTests(64, 8);
          const e0 = seed % length;
          const src = shards(k, length, seed);
          expect(encode("simd", k, m, src, length, e0)).toEqual(encode("script", k, m, src, length, e0));
          _setRsBlockingForTests();
        },
      ),
      { numRuns: 60 },
    );
  });
});
