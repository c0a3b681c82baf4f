import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMod, EXP, fwht, GF_MODULUS, LOG, logWalsh, mul, SKEW, subMod } from "../spec/codec/gf16.js";
import {
  _setRsBlockingForTests,
  RsDecodeError,
  RsParameterError,
  rsDecode,
  rsDecodeInto,
  rsEncode,
  rsEncodeInto,
  useHighRate,
} from "../spec/codec/reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "../spec/codec/symbol-layout.js";
import { pattern } from "../spec/self-check.js";
import { oracleEncode, oracleSymbolSize } from "./support/wasm-oracle.js";

// ----------------------------------------------------------------------
// Helpers

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("hex");
}

/** Fast exact comparison of two typed arrays' contents. */
function sameContents(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Deterministic PRNG (xorshift32). */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

function randomElements(len: number, rand: () => number): Uint16Array {
  const a = new Uint16Array(len);
  for (let i = 0; i < len; i++) a[i] = Math.floor(rand() * 65536);
  return a;
}

function shuffle<T>(xs: T[], rand: () => number): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

function readUleb(buf: Uint8Array): [number, number] {
  let v = 0;
  let shift = 0;
  let i = 0;
  for (;;) {
    const b = buf[i++] as number;
    v += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [v, i];
    shift += 7;
  }
}

/** Parse BCS SliverData = uleb128(len) ‖ data ‖ u16le symbol_size ‖ u16le index. */
function parseSliver(buf: Uint8Array): { data: Uint8Array; symbolSize: number; index: number } {
  const [len, off] = readUleb(buf);
  expect(buf.length).toBe(off + len + 4);
  const data = buf.subarray(off, off + len);
  const t = off + len;
  return {
    data,
    symbolSize: (buf[t] as number) | ((buf[t + 1] as number) << 8),
    index: (buf[t + 2] as number) | ((buf[t + 3] as number) << 8),
  };
}

function walrusParams(n: number): { f: number; kp: number; ks: number } {
  const f = Math.floor((n - 1) / 3);
  return { f, kp: n - 2 * f, ks: n - f };
}

/** Run the official wasm encoder; returns primary[i] and secondary[j] sliver data by sliver index. */
function wasmSlivers(n: number, data: Uint8Array): { primary: Uint8Array[]; secondary: Uint8Array[]; S: number } {
  const S = oracleSymbolSize(n, data.length);
  const { primaryBcs: pBufs, secondaryBcs: sBufs } = oracleEncode(data, n);
  const primary: Uint8Array[] = new Array(n);
  const secondary: Uint8Array[] = new Array(n);
  for (let p = 0; p < n; p++) {
    const ps = parseSliver(pBufs[p] as Uint8Array);
    expect(ps.index).toBe(p);
    expect(ps.symbolSize).toBe(S);
    primary[p] = ps.data;
    const ss = parseSliver(sBufs[p] as Uint8Array);
    expect(ss.index).toBe(n - 1 - p);
    expect(ss.symbolSize).toBe(S);
    secondary[n - 1 - p] = ss.data;
  }
  return { primary, secondary, S };
}

/**
 * Our RS2 encoding of a blob with the API under test. Returns the blob matrix as elements
 * (row-major, `rows`: row r = primary sliver r) plus the non-systematic slivers as bytes.
 */
function tsSlivers(n: number, data: Uint8Array) {
  const { f, kp, ks } = walrusParams(n);
  const S = oracleSymbolSize(n, data.length);
  const h = S / 2;
  const padded = new Uint8Array(kp * ks * S);
  padded.set(data);
  // rows: shard r (length ks*h) = primary sliver r in elements.
  const R = ks * h;
  const rows = new Uint16Array(kp * R);
  symbolsToElements(padded, 0, S, kp * ks, rows, 0);

  // Row code (k = ks, m = f) on every row: original c of row r is rows[r*R + c*h .. +h]. Batch all
  // rows through one call per row using the stride = h (symbol c) and the element range of one symbol.
  const L = kp * h; // column-major: shard c holds column c (kp symbols)
  const cols = new Uint16Array(ks * L);
  for (let r = 0; r < kp; r++) {
    for (let c = 0; c < ks; c++) cols.set(rows.subarray(r * R + c * h, r * R + (c + 1) * h), c * L + r * h);
  }
  const secRec = new Uint16Array(f * L);
  rsEncodeInto(ks, f, cols, 0, L, secRec, 0, L, 0, L);

  // Column code (k = kp, m = n - kp) on every column c < ks: shard r = row r.
  const primRec = new Uint16Array((n - kp) * R);
  rsEncodeInto(kp, n - kp, rows, 0, R, primRec, 0, R, 0, R);

  const secondary: Uint8Array[] = [];
  for (let j = 0; j < f; j++) {
    const out = new Uint8Array(kp * S);
    elementsToSymbols(secRec, j * L, S, kp, out, 0);
    secondary.push(out);
  }
  const primary: Uint8Array[] = [];
  for (let i = 0; i < n - kp; i++) {
    const out = new Uint8Array(ks * S);
    elementsToSymbols(primRec, i * R, S, ks, out, 0);
    primary.push(out);
  }
  return { S, h, rows, cols, primRec, secRec, primary, secondary, padded };
}

/** Reference: the same code computed one codeword (one element position) at a time with rsEncode. */
function naiveEncodeCheck(m: number, originals: Uint16Array[]): Uint16Array[] {
  const len = (originals[0] as Uint16Array).length;
  const out = Array.from({ length: m }, () => new Uint16Array(len));
  for (let e = 0; e < len; e++) {
    const rec = rsEncode(
      originals.map((o) => Uint16Array.of(o[e] as number)),
      m,
    );
    rec.forEach((r, j) => {
      (out[j] as Uint16Array)[e] = r[0] as number;
    });
  }
  return out;
}

// ----------------------------------------------------------------------
// 1. Field tables

describe("GF(2^16) tables", () => {
  it("LOG, EXP and SKEW spot values match the crate", () => {
    expect([...LOG.subarray(0, 8)]).toEqual([65535, 0, 21845, 43690, 17476, 4369, 34952, 8738]);
    expect([...EXP.subarray(0, 8)]).toEqual([1, 18064, 26072, 25296, 22324, 17904, 21432, 7736]);
    expect([...SKEW.subarray(0, 16)]).toEqual([
      65535, 65535, 21845, 65535, 17476, 21845, 34952, 65535, 56797, 17476, 30583, 21845, 48059, 34952, 13107, 65535,
    ]);
    expect(SKEW.length).toBe(65535);
    expect(SKEW.filter((x) => x === 65535).length).toBe(16);
    expect(EXP[65535]).toBe(EXP[0]);
  });

  it("EXP and LOG are inverse bijections", () => {
    const seen = new Uint8Array(65536);
    for (let x = 1; x < 65536; x++) {
      const l = LOG[x] as number;
      expect(l).toBeLessThan(65535);
      seen[l] = 1;
      if (EXP[l] !== x) expect.fail(`EXP[LOG[${x}]] = ${EXP[l]}`);
    }
    expect(seen.subarray(0, 65535).every((v) => v === 1)).toBe(true);
  });

  it("mul is commutative, distributive over XOR, and 65535 is the log of 1", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 0, max: 65535 }),
        fc.integer({ min: 1, max: 65535 }),
        (a, b, c) => {
          const lc = LOG[c] as number;
          expect(mul(a ^ b, lc)).toBe(mul(a, lc) ^ mul(b, lc));
          if (b !== 0) expect(mul(a, LOG[b] as number)).toBe(a === 0 ? 0 : mul(b, LOG[a] as number));
          expect(mul(a, GF_MODULUS)).toBe(a);
          expect(mul(a, 0)).toBe(a);
        },
      ),
    );
  });

  it("addMod / subMod follow the crate's ones'-complement rules", () => {
    expect(addMod(65535, 65535)).toBe(65535);
    expect(addMod(65535, 1)).toBe(1);
    expect(addMod(0, 0)).toBe(0);
    expect(subMod(0, 1)).toBe(65534);
    expect(subMod(5, 5)).toBe(0);
    expect(subMod(1, 65535)).toBe(1);
  });

  it("truncated FWHT equals the full transform when the tail is zero", () => {
    const rand = rng(7);
    const a = new Uint16Array(65536);
    for (let i = 0; i < 1000; i++) a[i] = Math.floor(rand() * 65535);
    const b = new Uint16Array(a);
    fwht(a, 1000);
    fwht(b, 65536);
    expect(a).toEqual(b);
    expect(logWalsh().length).toBe(65536);
  });
});

// ----------------------------------------------------------------------
// Symbol layout

describe("symbol layout", () => {
  it("S = 2 is one little-endian u16; S = 66 has 32 block elements then one tail element", () => {
    const out = new Uint16Array(1);
    symbolsToElements(Uint8Array.of(0x34, 0x12), 0, 2, 1, out, 0);
    expect(out[0]).toBe(0x1234);

    const bytes = Uint8Array.from({ length: 66 }, (_, i) => i);
    const e = new Uint16Array(33);
    symbolsToElements(bytes, 0, 66, 1, e, 0);
    expect(e[0]).toBe(0 | (32 << 8));
    expect(e[31]).toBe(31 | (63 << 8));
    expect(e[32]).toBe(64 | (65 << 8));

    // S = 70: tail of 6 bytes = 3 low bytes then 3 high bytes.
    const b70 = Uint8Array.from({ length: 70 }, (_, i) => i);
    const e70 = new Uint16Array(35);
    symbolsToElements(b70, 0, 70, 1, e70, 0);
    expect([...e70.subarray(32)]).toEqual([64 | (67 << 8), 65 | (68 << 8), 66 | (69 << 8)]);
  });

  it("elementsToSymbols inverts symbolsToElements (with offsets)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }).map((x) => 2 * x),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 5 }),
        (S, count, bo, eo) => {
          const bytes = Uint8Array.from({ length: bo + count * S }, (_, i) => (i * 97 + 13) & 255);
          const els = new Uint16Array(eo + (count * S) / 2);
          symbolsToElements(bytes, bo, S, count, els, eo);
          const back = new Uint8Array(bo + count * S);
          elementsToSymbols(els, eo, S, count, back, bo);
          expect(back.subarray(bo)).toEqual(bytes.subarray(bo));
        },
      ),
    );
  });

  it("rejects odd symbol sizes and out-of-bounds ranges", () => {
    expect(() => symbolsToElements(new Uint8Array(3), 0, 3, 1, new Uint16Array(2), 0)).toThrow(RangeError);
    expect(() => symbolsToElements(new Uint8Array(4), 0, 4, 2, new Uint16Array(4), 0)).toThrow(RangeError);
    expect(() => elementsToSymbols(new Uint16Array(2), 0, 4, 1, new Uint8Array(3), 0)).toThrow(RangeError);
  });
});

// ----------------------------------------------------------------------
// 2. RS-level vectors (walrus-codec.md §5.6)

describe("RS-level test vectors", () => {
  const vectors: [number, number, string, string][] = [
    [2, 2, "b2fa", "bbfd"],
    [3, 4, "78b3", "8141"],
    [4, 6, "bbb1", "8212"],
    [7, 3, "7263", "7dae"],
    [5, 8, "e579", "834f"],
  ];
  for (const [k, m, first, last] of vectors) {
    it(`k=${k}, m=${m}, S=2: first ${first}, last ${last}`, () => {
      const originals = Array.from({ length: k }, (_, i) => {
        const e = new Uint16Array(1);
        symbolsToElements(pattern(2, 100 + i), 0, 2, 1, e, 0);
        return e;
      });
      const rec = rsEncode(originals, m);
      expect(rec.length).toBe(m);
      const sym = (r: Uint16Array) => {
        const b = new Uint8Array(2);
        elementsToSymbols(r, 0, 2, 1, b, 0);
        return hex(b);
      };
      expect(sym(rec[0] as Uint16Array)).toBe(first);
      expect(sym(rec[m - 1] as Uint16Array)).toBe(last);
    });
  }
});

// ----------------------------------------------------------------------
// 3. Rate selection and parameter errors

describe("rate selection", () => {
  it("matches the crate's use_high_rate", () => {
    const cases: [number, number, boolean][] = [
      [334, 666, false],
      [667, 333, true],
      [34, 66, false],
      [67, 33, true],
      [4, 6, false],
      [7, 3, true],
      [3, 5, false], // P(3) = 4 < P(5) = 8
      [5, 3, true], // P(5) = 8 > P(3) = 4
      [2, 2, true], // equal powers, k <= m
      [3, 4, true],
      [5, 8, true],
      [4, 3, false], // equal powers, k > m
      [8, 8, true],
      [1, 1, true],
      [65535, 1, true],
      [1, 65535, false],
      [32768, 32768, true],
    ];
    for (const [k, m, high] of cases) expect([k, m, useHighRate(k, m)]).toEqual([k, m, high]);
  });

  it("throws RsParameterError where the crate rejects the counts", () => {
    for (const [k, m] of [
      [0, 1],
      [1, 0],
      [0, 0],
      [65537, 1],
      [1, 65537],
      [65536, 1], // 1 + 65536 > 65536
      [32769, 32768], // 32768 + 32769 > 65536
      [1.5, 2],
    ] as const) {
      expect(() => useHighRate(k, m)).toThrow(RsParameterError);
    }
    expect(() => useHighRate(0, 3)).toThrow(/at least 1/);
    expect(() => rsEncodeInto(0, 3, new Uint16Array(0), 0, 0, new Uint16Array(0), 0, 0, 0, 0)).toThrow(
      RsParameterError,
    );
    expect(() => rsDecode(3, 0, [])).toThrow(RsParameterError);
  });

  it("Walrus n = 49155 is supported and n = 49156 is not", () => {
    const ok = walrusParams(49155);
    expect(() => useHighRate(ok.kp, 49155 - ok.kp)).not.toThrow();
    expect(() => useHighRate(ok.ks, ok.f)).not.toThrow();
    const bad = walrusParams(49156);
    expect(() => useHighRate(bad.kp, 49156 - bad.kp)).toThrow(RsParameterError);
  });
});

// ----------------------------------------------------------------------
// 4. Differential against the official Walrus wasm encoder

describe("differential against @mysten/walrus-wasm", () => {
  /** Blob lengths that produce each requested symbol size for n. */
  function lengthFor(n: number, S: number, rand: () => number): number {
    const { kp, ks } = walrusParams(n);
    const cap = kp * ks;
    // Any length in ((S-2)*cap, S*cap] gives symbol size S (S even).
    const lo = S === 2 ? 1 : (S - 2) * cap + 1;
    return lo + Math.floor(rand() * (S * cap - lo + 1));
  }

  function compare(n: number, len: number, seed: number): void {
    const rand = rng(seed);
    const data = new Uint8Array(len);
    for (let i = 0; i < len; i++) data[i] = Math.floor(rand() * 256);
    const { kp, ks } = walrusParams(n);
    const wasm = wasmSlivers(n, data);
    const ts = tsSlivers(n, data);
    expect(ts.S).toBe(wasm.S);
    const S = ts.S;
    // Systematic slivers: blob rows and blob columns.
    let systematicMismatches = 0;
    for (let i = 0; i < kp; i++) {
      if (!sameContents(wasm.primary[i] as Uint8Array, ts.padded.subarray(i * ks * S, (i + 1) * ks * S))) {
        systematicMismatches++;
      }
    }
    // Non-systematic slivers, byte for byte.
    let mismatches = 0;
    for (let i = kp; i < n; i++) {
      if (!sameContents(wasm.primary[i] as Uint8Array, ts.primary[i - kp] as Uint8Array)) mismatches++;
    }
    for (let j = ks; j < n; j++) {
      if (!sameContents(wasm.secondary[j] as Uint8Array, ts.secondary[j - ks] as Uint8Array)) mismatches++;
    }
    expect({ n, len, S, systematicMismatches, mismatches }).toEqual({
      n,
      len,
      S,
      systematicMismatches: 0,
      mismatches: 0,
    });

    // Decode from random subsets of exactly k slivers (both codes), using the wasm's bytes.
    const h = S / 2;
    const toElements = (bytes: Uint8Array, count: number) => {
      const e = new Uint16Array(count * h);
      symbolsToElements(bytes, 0, S, count, e, 0);
      return e;
    };
    const primIdx = shuffle(
      Array.from({ length: n }, (_, i) => i),
      rand,
    ).slice(0, kp);
    const rows = rsDecode(
      kp,
      n - kp,
      primIdx.map((i) => [i, toElements(wasm.primary[i] as Uint8Array, ks)] as const),
    );
    let badRows = 0;
    for (let i = 0; i < kp; i++)
      if (!sameContents(rows[i] as Uint16Array, ts.rows.subarray(i * ks * h, (i + 1) * ks * h))) badRows++;
    expect(badRows).toBe(0);
    const secIdx = shuffle(
      Array.from({ length: n }, (_, i) => i),
      rand,
    ).slice(0, ks);
    const cols = rsDecode(
      ks,
      n - ks,
      secIdx.map((j) => [j, toElements(wasm.secondary[j] as Uint8Array, kp)] as const),
    );
    let badCols = 0;
    for (let c = 0; c < ks; c++)
      if (!sameContents(cols[c] as Uint16Array, ts.cols.subarray(c * kp * h, (c + 1) * kp * h))) badCols++;
    expect(badCols).toBe(0);
  }

  const sizes = [2, 4, 6, 62, 64, 66, 128, 130, 190, 254];
  for (let n = 4; n <= 20; n++) {
    it(`n = ${n}, symbol sizes ${sizes.join(", ")}`, () => {
      const rand = rng(n * 1000 + 1);
      for (const S of sizes) compare(n, lengthFor(n, S, rand), n * 31 + S);
    });
  }

  it("n = 31 and n = 100, assorted symbol sizes (including tails)", () => {
    for (const n of [31, 100]) {
      const rand = rng(n);
      for (const S of [2, 4, 6, 34, 62, 64, 66, 126, 128, 130, 200]) compare(n, lengthFor(n, S, rand), n + S);
    }
  });

  // The oracle takes seconds at n = 1000 whatever the size: one blob, of three elements a symbol.
  // Symbols of one element (S = 2) at n = 1000 are the CLI's blob ID of ten bytes (cli.test.ts);
  // symbols past one 64-byte block (S = 66) are compared at the n above and below, not on a 14 MB
  // blob at n = 1000.
  it("n = 1000 (334/666 low rate, 667/333 high rate), symbol size 6", () => {
    compare(1000, lengthFor(1000, 6, rng(1000)), 1006);
  });

  it("other n with both rates on the column code (n = 21, 25, 33, 64, 65, 97, 301)", () => {
    for (const n of [21, 25, 33, 64, 65, 97, 301]) {
      const { kp } = walrusParams(n);
      const rand = rng(n * 7);
      for (const S of [2, 66]) compare(n, lengthFor(n, S, rand), n * 3 + S);
      // Document which rate the column code used.
      expect(typeof useHighRate(kp, n - kp)).toBe("boolean");
    }
  });
});

// ----------------------------------------------------------------------
// 5. Properties

describe("properties", () => {
  const km = fc.oneof(
    fc.tuple(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 })),
    fc.tuple(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 })),
  );

  it("decoding from any k-subset returns the originals (both rates)", () => {
    fc.assert(
      fc.property(km, fc.integer({ min: 1, max: 9 }), fc.integer(), ([k, m], len, seed) => {
        const rand = rng(seed);
        const originals = Array.from({ length: k }, () => randomElements(len, rand));
        const recovery = rsEncode(originals, m);
        const all = [...originals, ...recovery];
        const subset = shuffle(
          Array.from({ length: k + m }, (_, i) => i),
          rand,
        ).slice(0, k);
        const got = rsDecode(
          k,
          m,
          subset.map((t) => [t, all[t] as Uint16Array] as const),
        );
        expect(got.length).toBe(k);
        for (let i = 0; i < k; i++) expect(got[i]).toEqual(originals[i]);
      }),
      { numRuns: 60 },
    );
  });

  it("rsEncodeInto over a sub-range [e0, e1) equals that range of a full encode", () => {
    fc.assert(
      fc.property(
        km,
        fc.integer({ min: 1, max: 40 }),
        fc.integer(),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        ([k, m], len, seed, srcPad, dstPad) => {
          const rand = rng(seed);
          const e0 = Math.floor(rand() * len);
          const e1 = e0 + Math.floor(rand() * (len - e0 + 1));
          const srcStride = len + srcPad;
          const src = randomElements(1 + k * srcStride, rand);
          const full = new Uint16Array(m * len);
          rsEncodeInto(k, m, src, 1, srcStride, full, 0, len, 0, len);
          const dstStride = len + dstPad;
          const part = new Uint16Array(3 + m * dstStride).fill(0xbeef);
          rsEncodeInto(k, m, src, 1, srcStride, part, 3, dstStride, e0, e1);
          for (let j = 0; j < m; j++) {
            for (let e = 0; e < len; e++) {
              const want = e >= e0 && e < e1 ? full[j * len + e] : 0xbeef;
              if (part[3 + j * dstStride + e] !== want) expect.fail(`recovery ${j} element ${e}`);
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it("batched encode equals codeword-by-codeword encode (odd lengths)", () => {
    fc.assert(
      fc.property(km, fc.integer({ min: 1, max: 7 }), fc.integer(), ([k, m], len, seed) => {
        const rand = rng(seed);
        const originals = Array.from({ length: k }, () => randomElements(len, rand));
        expect(rsEncode(originals, m)).toEqual(naiveEncodeCheck(m, originals));
      }),
      { numRuns: 25 },
    );
  });

  it("results do not depend on the internal block size (multi-block encode and decode)", () => {
    fc.assert(
      fc.property(
        km,
        fc.integer({ min: 1, max: 61 }),
        fc.integer(),
        fc.integer({ min: 1, max: 7 }),
        ([k, m], len, seed, minWords) => {
          const rand = rng(seed);
          const originals = Array.from({ length: k }, () => randomElements(len, rand));
          const want = rsEncode(originals, m);
          const all = [...originals, ...want];
          const subset = shuffle(
            Array.from({ length: k + m }, (_, i) => i),
            rand,
          ).slice(0, k);
          try {
            _setRsBlockingForTests(1, minWords); // slots of `minWords` words: many blocks, a short last one
            expect(rsEncode(originals, m)).toEqual(want);
            const got = rsDecode(
              k,
              m,
              subset.map((t) => [t, all[t] as Uint16Array] as const),
            );
            for (let i = 0; i < k; i++) expect(got[i]).toEqual(originals[i]);
          } finally {
            _setRsBlockingForTests();
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it("rsDecodeInto with strided input and more than k shards recovers the originals", () => {
    fc.assert(
      fc.property(km, fc.integer({ min: 1, max: 11 }), fc.integer(), ([k, m], len, seed) => {
        const rand = rng(seed);
        const originals = Array.from({ length: k }, () => randomElements(len, rand));
        const all = [...originals, ...rsEncode(originals, m)];
        const extra = Math.floor(rand() * (m + 1));
        const indices = shuffle(
          Array.from({ length: k + m }, (_, i) => i),
          rand,
        ).slice(0, k + extra);
        const stride = len + 2;
        const src = new Uint16Array(5 + indices.length * stride);
        indices.forEach((t, r) => {
          src.set(all[t] as Uint16Array, 5 + r * stride);
        });
        const dst = new Uint16Array(k * len);
        rsDecodeInto(k, m, indices, src, 5, stride, dst, 0, len, 0, len);
        for (let i = 0; i < k; i++) expect(dst.subarray(i * len, (i + 1) * len)).toEqual(originals[i]);
      }),
      { numRuns: 40 },
    );
  });
});

// ----------------------------------------------------------------------
// Decoder edge cases

describe("rsDecode edge cases", () => {
  const k = 5;
  const m = 4;
  const rand = rng(99);
  const originals = Array.from({ length: k }, () => randomElements(6, rand));
  const all = [...originals, ...rsEncode(originals, m)];

  it("returns received originals as-is when all are present", () => {
    const got = rsDecode(
      k,
      m,
      originals.map((o, i) => [i, o] as const),
    );
    got.forEach((g, i) => {
      expect(g).toBe(originals[i]);
    });
  });

  it("keeps the first of duplicate indices", () => {
    const junk = new Uint16Array(6).fill(7);
    const received = [
      [5, all[5]],
      [5, junk],
      [6, all[6]],
      [0, all[0]],
      [7, all[7]],
      [8, all[8]],
    ] as [number, Uint16Array][];
    const got = rsDecode(k, m, received);
    for (let i = 0; i < k; i++) expect(got[i]).toEqual(originals[i]);
  });

  it("throws RsDecodeError with a clear message on bad input", () => {
    const pick = (ts: number[]) => ts.map((t) => [t, all[t] as Uint16Array] as [number, Uint16Array]);
    expect(() => rsDecode(k, m, pick([0, 1, 5, 6]))).toThrow(RsDecodeError);
    expect(() => rsDecode(k, m, pick([0, 1, 5, 6]))).toThrow(/need 5 distinct symbols, got 4/);
    expect(() => rsDecode(k, m, [...pick([0, 1, 5, 6]), [6, all[6] as Uint16Array]])).toThrow(/got 4/);
    expect(() => rsDecode(k, m, [...pick([0, 1, 5, 6]), [9, all[6] as Uint16Array]])).toThrow(/out of range/);
    expect(() => rsDecode(k, m, [...pick([0, 1, 5, 6]), [-1, all[6] as Uint16Array]])).toThrow(RsDecodeError);
    expect(() => rsDecode(k, m, [...pick([0, 1, 5, 6]), [7, new Uint16Array(5)]])).toThrow(/lengths differ/);
    expect(() => rsDecode(k, m, [])).toThrow(RsDecodeError);
  });

  it("handles zero-length shards", () => {
    const empty = Array.from({ length: 3 }, () => new Uint16Array(0));
    const rec = rsEncode(empty, 2);
    expect(rec.map((r) => r.length)).toEqual([0, 0]);
    const got = rsDecode(3, 2, [
      [3, rec[0] as Uint16Array],
      [4, rec[1] as Uint16Array],
      [0, empty[0] as Uint16Array],
    ]);
    expect(got.map((g) => g.length)).toEqual([0, 0, 0]);
  });
});
