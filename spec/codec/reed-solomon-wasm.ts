/**
 * The butterflies of the Reed-Solomon transforms (reed-solomon.ts) as a WebAssembly SIMD kernel,
 * used by the encoder where WebAssembly runs. It computes exactly what the TypeScript butterflies
 * compute; it is faster because GF(2^16) multiplication by a constant becomes table lookups on 16
 * elements at once, the way reed-solomon-simd's SSSE3 and AVX2 engines multiply:
 *
 * - an element x = n0 | n1 << 4 | n2 << 8 | n3 << 12 (four nibbles) times a constant c is
 *   N0[n0] ^ N1[n1] ^ N2[n2] ^ N3[n3], where Nk[n] = (n << 4k)·c (multiplication is GF(2)-linear);
 * - each Nk is split into a table of low bytes and a table of high bytes, 16 entries each: one
 *   i8x16.swizzle looks up 16 nibbles in one such table;
 * - the work area keeps two elements per 32-bit word (little-endian u16, as reed-solomon.ts), so the
 *   kernel loads 32 bytes (16 elements), separates their low and high bytes with two shuffles,
 *   computes in that form, and interleaves again before storing.
 *
 * Memory: 128 zero bytes (the product table of 0: twiddle logarithm 65535 means "multiply by 0"),
 * then 128 bytes of tables per twiddle in use, then the work area. Shard slots in the work area are
 * multiples of 32 bytes, so every butterfly runs over whole 32-byte steps.
 */

import { I32, type KernelMemory, ModuleBuilder, Op, Simd, V128, instantiate } from "../hash/wasm-assembler.js";
import type { FunctionBody } from "../hash/wasm-assembler.js";

const TABLE_BYTES = 128;
/** Twiddle logarithms are 16-bit: room for the tables of all of them (untouched pages cost nothing). */
const TABLES = 65536;
/** Start of the work area. */
const WORK = TABLE_BYTES * (TABLES + 1);
const PAGE = 65536;
/** Bytes per step of every kernel loop: 16 elements. */
export const STEP_BYTES = 32;

const EVEN = Array.from({ length: 16 }, (_, i) => 2 * i);
const ODD = Array.from({ length: 16 }, (_, i) => 2 * i + 1);
const INTERLEAVE_LOW = Array.from({ length: 16 }, (_, i) => (i & 1 ? 16 : 0) + (i >> 1));
const INTERLEAVE_HIGH = INTERLEAVE_LOW.map((lane) => lane + 8);

/** 16 elements in split form: their low bytes and their high bytes. */
type Pair = { low: number; high: number };

/** Emits the loads and stores of 16 elements in split form, and multiply-and-add. */
class Emitter {
  private readonly mask: number;
  private readonly nibbles: number[];
  private readonly scratch: [number, number];

  constructor(private readonly f: FunctionBody) {
    this.mask = f.local(V128);
    this.nibbles = Array.from({ length: 4 }, () => f.local(V128));
    this.scratch = [f.local(V128), f.local(V128)];
    f.i32(0x0f).simd(Simd.i8x16Splat).set(this.mask);
  }

  pair(): Pair {
    return { low: this.f.local(V128), high: this.f.local(V128) };
  }

  /** The 8 tables (4 low-byte, 4 high-byte) of the twiddle whose tables start at local `address`. */
  tables(address: number): number[] {
    return Array.from({ length: 8 }, (_, k) => {
      const table = this.f.local(V128);
      this.f
        .get(address)
        .simd(Simd.load, 16 * k)
        .set(table);
      return table;
    });
  }

  /** Loads the 32 bytes at `address()` into `into`, split. */
  load(address: () => void, into: Pair): void {
    const [a, b] = this.scratch;
    address();
    this.f.simd(Simd.load, 0).set(a);
    address();
    this.f.simd(Simd.load, 16).set(b);
    this.f
      .get(a)
      .get(b)
      .simd(Simd.shuffle, ...EVEN)
      .set(into.low);
    this.f
      .get(a)
      .get(b)
      .simd(Simd.shuffle, ...ODD)
      .set(into.high);
  }

  /** Stores `from`, interleaved again, to the 32 bytes at `address()`. */
  store(address: () => void, from: Pair): void {
    address();
    this.f
      .get(from.low)
      .get(from.high)
      .simd(Simd.shuffle, ...INTERLEAVE_LOW)
      .simd(Simd.store, 0);
    address();
    this.f
      .get(from.low)
      .get(from.high)
      .simd(Simd.shuffle, ...INTERLEAVE_HIGH)
      .simd(Simd.store, 16);
  }

  /** to ^= from. */
  add(to: Pair, from: Pair): void {
    this.f.get(to.low).get(from.low).simd(Simd.xor).set(to.low);
    this.f.get(to.high).get(from.high).simd(Simd.xor).set(to.high);
  }

  /** to ^= from · c, c given by its 8 tables. */
  addProduct(to: Pair, from: Pair, tables: number[]): void {
    const f = this.f;
    const [n0, n1, n2, n3] = this.nibbles;
    f.get(from.low).get(this.mask).simd(Simd.and).set(n0);
    f.get(from.low).i32(4).simd(Simd.i16x8ShrU).get(this.mask).simd(Simd.and).set(n1);
    f.get(from.high).get(this.mask).simd(Simd.and).set(n2);
    f.get(from.high).i32(4).simd(Simd.i16x8ShrU).get(this.mask).simd(Simd.and).set(n3);
    for (const [half, offset] of [
      [to.low, 0],
      [to.high, 4],
    ] as const) {
      f.get(half);
      this.nibbles.forEach((nibble, k) => {
        f.get(tables[offset + k])
          .get(nibble)
          .simd(Simd.swizzle)
          .simd(Simd.xor);
      });
      f.set(half);
    }
  }
}

/**
 * Assembles the kernel. Every function takes byte addresses and a length in bytes (a multiple of
 * 32); `s` is the distance between the slots a butterfly combines, `t…` the addresses of tables.
 */
function assemble(): Uint8Array {
  const m = new ModuleBuilder(Math.ceil(WORK / PAGE) + 1);

  /** A loop over p = i, i + 32, … < i + len: `body(p)` is one step. */
  const steps = (f: FunctionBody, i: number, len: number, body: (p: number) => void) => {
    const p = f.local(I32);
    const end = f.local(I32);
    f.get(i).set(p);
    f.get(i).get(len).op(Op.i32Add).set(end);
    f.whileNot(
      () => f.get(p).get(end).op(Op.i32GeU),
      () => {
        body(p);
        f.get(p).i32(STEP_BYTES).op(Op.i32Add).set(p);
      },
    );
  };
  /** Address p + k·s on the stack. */
  const at = (f: FunctionBody, p: number, s: number, k: number) => () => {
    f.get(p);
    for (let j = 0; j < k; j++) f.get(s).op(Op.i32Add);
  };

  // xor(i, j, len): [i, i + len) ^= [j, j + len).
  m.define(m.declare("xor", [I32, I32, I32]), (f) => {
    const [i, j, len] = [0, 1, 2];
    const q = f.local(I32);
    steps(f, i, len, (p) => {
      f.get(j).get(p).get(i).op(Op.i32Sub).op(Op.i32Add).set(q); // q = j + (p − i)
      for (const offset of [0, 16]) {
        f.get(p).get(p).simd(Simd.load, offset).get(q).simd(Simd.load, offset).simd(Simd.xor).simd(Simd.store, offset);
      }
    });
  });

  // The butterfly on (x, y) with twiddle c: forward x ^= y·c, y ^= x; inverse y ^= x, x ^= y·c.
  // fft2 / ifft2(i, len, s, t): one butterfly on x at p, y at p + s.
  // fft4 / ifft4(i, len, s, t01, t02, t23): two layers on (a0, a1, a2, a3) at p + k·s, in the order
  // of reed-solomon.ts's fft4 / ifft4. Layers are [x, y, twiddle], twiddles numbered as parameters.
  const kernels: Array<[name: string, slots: number, twiddles: number, layers: number[][]]> = [
    ["fft2", 2, 1, [[0, 1, 0]]],
    ["ifft2", 2, 1, [[0, 1, 0]]],
    [
      "fft4",
      4,
      3,
      [
        [0, 2, 1],
        [1, 3, 1],
        [0, 1, 0],
        [2, 3, 2],
      ],
    ],
    [
      "ifft4",
      4,
      3,
      [
        [0, 1, 0],
        [2, 3, 2],
        [0, 2, 1],
        [1, 3, 1],
      ],
    ],
  ];
  for (const [name, slots, twiddles, layers] of kernels) {
    const inverse = name.startsWith("i");
    m.define(m.declare(name, [I32, I32, I32, ...Array<typeof I32>(twiddles).fill(I32)]), (f) => {
      const [i, len, s] = [0, 1, 2];
      const e = new Emitter(f);
      const tables = Array.from({ length: twiddles }, (_, k) => e.tables(3 + k));
      const a = Array.from({ length: slots }, () => e.pair());
      steps(f, i, len, (p) => {
        for (const [k, pair] of a.entries()) e.load(at(f, p, s, k), pair);
        for (const [x, y, c] of layers) {
          if (inverse) {
            e.add(a[y], a[x]);
            e.addProduct(a[x], a[y], tables[c]);
          } else {
            e.addProduct(a[x], a[y], tables[c]);
            e.add(a[y], a[x]);
          }
        }
        for (const [k, pair] of a.entries()) e.store(at(f, p, s, k), pair);
      });
    });
  }
  return m.bytes();
}

interface KernelExports {
  readonly memory: KernelMemory;
  xor(i: number, j: number, len: number): void;
  fft2(i: number, len: number, s: number, t: number): void;
  ifft2(i: number, len: number, s: number, t: number): void;
  fft4(i: number, len: number, s: number, t01: number, t02: number, t23: number): void;
  ifft4(i: number, len: number, s: number, t01: number, t02: number, t23: number): void;
}

/**
 * The butterflies reed-solomon.ts runs its transforms with, over a work area `w` of words (two
 * elements each), indexed in words, twiddles given as logarithms: its TypeScript kernels, or the
 * SIMD kernel of this module (same results).
 */
export interface Butterflies {
  /** Shard slots must be multiples of this many words. */
  readonly stepWords: number;
  /** The work area. */
  readonly w: Int32Array;
  /** The work area as elements. */
  readonly w16: Uint16Array;
  /** Makes the work area at least `words` words (renewing `w` and `w16`). */
  ensure(words: number): void;
  /** w[i .. i+len) ^= w[j .. j+len). */
  xorRange(i: number, j: number, len: number): void;
  /** FFT butterfly on x = w[i..], y = w[i+s..]: x ^= y·m; y ^= x. */
  fft2(i: number, len: number, s: number, logM: number): void;
  /** IFFT butterfly on x = w[i..], y = w[i+s..]: y ^= x; x ^= y·m. */
  ifft2(i: number, len: number, s: number, logM: number): void;
  /** Two FFT layers on w[i..], w[i+s..], w[i+2s..], w[i+3s..] (reed-solomon.ts `fft4`). */
  fft4(i: number, len: number, s: number, l01: number, l02: number, l23: number): void;
  /** Two IFFT layers on w[i..], w[i+s..], w[i+2s..], w[i+3s..] (reed-solomon.ts `ifft4`). */
  ifft4(i: number, len: number, s: number, l01: number, l02: number, l23: number): void;
}

/** The SIMD butterflies over their work area, after the fixed table region. */
class SimdButterflies implements Butterflies {
  readonly stepWords = STEP_BYTES / 4;
  w = new Int32Array(0);
  w16 = new Uint16Array(0);
  private readonly tableAt = new Int32Array(TABLES); // 0: not built yet

  constructor(
    private readonly kernel: KernelExports,
    /** Products of a twiddle: t[x] = x·c, t[256 + x] = (x << 8)·c (reed-solomon.ts `mulTable`). */
    private readonly productTable: (log: number) => Int32Array,
    /** The logarithm that means "multiply by 0". */
    private readonly zeroLog: number,
  ) {
    this.ensure(0);
  }

  ensure(words: number): void {
    const memory = this.kernel.memory;
    const end = WORK + words * 4;
    if (end > memory.buffer.byteLength) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
    if (this.w.buffer !== memory.buffer || this.w.length < words) {
      this.w = new Int32Array(memory.buffer, WORK, (memory.buffer.byteLength - WORK) >>> 2);
      this.w16 = new Uint16Array(memory.buffer, WORK, (memory.buffer.byteLength - WORK) >>> 1);
    }
  }

  /** Address of the tables of twiddle `log`, built on first use. */
  private table(log: number): number {
    if (log === this.zeroLog) return 0;
    let address = this.tableAt[log];
    if (address === 0) {
      address = TABLE_BYTES * (log + 1);
      const t = this.productTable(log);
      const bytes = new Uint8Array(this.kernel.memory.buffer, address, TABLE_BYTES);
      for (let n = 0; n < 16; n++) {
        const products = [t[n], t[n << 4], t[256 + n], t[256 + (n << 4)]];
        products.forEach((product, k) => {
          bytes[16 * k + n] = product & 0xff;
          bytes[64 + 16 * k + n] = product >>> 8;
        });
      }
      this.tableAt[log] = address;
    }
    return address;
  }

  xorRange(i: number, j: number, len: number): void {
    this.kernel.xor(WORK + 4 * i, WORK + 4 * j, 4 * len);
  }

  fft2(i: number, len: number, s: number, log: number): void {
    this.kernel.fft2(WORK + 4 * i, 4 * len, 4 * s, this.table(log));
  }

  ifft2(i: number, len: number, s: number, log: number): void {
    this.kernel.ifft2(WORK + 4 * i, 4 * len, 4 * s, this.table(log));
  }

  fft4(i: number, len: number, s: number, l01: number, l02: number, l23: number): void {
    this.kernel.fft4(WORK + 4 * i, 4 * len, 4 * s, this.table(l01), this.table(l02), this.table(l23));
  }

  ifft4(i: number, len: number, s: number, l01: number, l02: number, l23: number): void {
    this.kernel.ifft4(WORK + 4 * i, 4 * len, 4 * s, this.table(l01), this.table(l02), this.table(l23));
  }
}

/** The SIMD butterflies, or undefined where WebAssembly (with SIMD) cannot run synchronously. */
export function createSimdButterflies(
  productTable: (log: number) => Int32Array,
  zeroLog: number,
): Butterflies | undefined {
  const kernel = instantiate<KernelExports>(assemble());
  return kernel && new SimdButterflies(kernel, productTable, zeroLog);
}
