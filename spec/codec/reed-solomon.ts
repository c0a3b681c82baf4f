/**
 * Reed-Solomon erasure code over GF(2^16), byte-exact with the Rust crate reed-solomon-simd 3.x
 * (the code Walrus RS2 uses): systematic encoding through a Leopard-style additive FFT, with the
 * crate's choice between its "high rate" and "low rate" constructions, and an erasure decoder.
 *
 * Data model: a shard is a sequence of GF(2^16) elements (Uint16Array). Every element position is an
 * independent codeword, so any number of codewords that share (k, m) can be processed in one call by
 * making the shards longer. Use `symbol-layout.ts` to convert Walrus symbols (bytes in the crate's
 * layout) to and from elements.
 *
 * Internals: elements are copied into a reused scratch area and processed two per 32-bit word, in
 * blocks of element positions whose size bounds the scratch memory (at most 16 MiB unless the
 * transform has more than 4096 shard slots). Each FFT twiddle factor gets a lazily built, cached pair
 * of 256-entry product tables (low byte and high byte of an element); butterflies are applied two
 * layers per pass, a twiddle logarithm of 65535 meaning "factor 0" (XOR only). There are no alignment
 * constraints on offsets, strides or element ranges. Long ranges are faster per element than short
 * ones (per-butterfly-group overhead): prefer one call over many calls on small ranges.
 *
 * This is an independent TypeScript implementation of the algorithm of reed-solomon-simd
 * (MIT AND BSD-3-Clause, derived from Leopard-RS).
 *
 * @module
 */

import { InvalidParametersError, WalrusSpecError } from "../errors.js";
import { EXP, evalPoly, GF_MODULUS, GF_ORDER, LOG, SKEW, addMod } from "./gf16.js";
import { type Butterflies, createSimdButterflies } from "./reed-solomon-wasm.js";

// ======================================================================
// Errors and parameters

/** The crate would reject these (original, recovery) counts. */
export class RsParameterError extends InvalidParametersError {}

/** Decoding is impossible or the input is malformed. */
export class RsDecodeError extends WalrusSpecError {
  constructor(message: string) {
    super("DECODING_FAILED", message);
  }
}

/** Smallest power of two >= x (x >= 1). */
function nextPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/**
 * True when reed-solomon-simd would use its high-rate path for (originalCount k, recoveryCount m).
 * Throws {@link RsParameterError} when the crate would reject the parameters: k = 0, m = 0, k or
 * m > 65536, or min(P(k), P(m)) + max(k, m) > 65536 (P = next power of two).
 */
export function useHighRate(originalCount: number, recoveryCount: number): boolean {
  const k = originalCount;
  const m = recoveryCount;
  if (!Number.isInteger(k) || !Number.isInteger(m)) {
    throw new RsParameterError(`original and recovery counts must be integers, got (${k}, ${m})`);
  }
  if (k <= 0 || m <= 0) {
    throw new RsParameterError(
      `unsupported shard counts (original ${k}, recovery ${m}): both counts must be at least 1`,
    );
  }
  if (k > GF_ORDER || m > GF_ORDER) {
    throw new RsParameterError(
      `unsupported shard counts (original ${k}, recovery ${m}): each count must be at most ${GF_ORDER}`,
    );
  }
  const kp = nextPow2(k);
  const mp = nextPow2(m);
  if (Math.min(kp, mp) + Math.max(k, m) > GF_ORDER) {
    throw new RsParameterError(
      `unsupported shard counts (original ${k}, recovery ${m}): ` +
        `min(nextPow2(original), nextPow2(recovery)) + max(original, recovery) exceeds ${GF_ORDER}`,
    );
  }
  if (kp < mp) return false;
  if (kp > mp) return true;
  return k <= m;
}

// ======================================================================
// Multiplication tables

/**
 * Per-logarithm product tables: t[x] = x·m and t[256 + x] = (x << 8)·m for x < 256, where m is the
 * element with logarithm `logM`. Multiplication by a constant is GF(2)-linear, so an element's product
 * is t[lo] ^ t[256 + hi].
 */
const mulTables: (Int32Array | undefined)[] = new Array<Int32Array | undefined>(GF_ORDER);

function mulElem(x: number, logM: number): number {
  return x === 0 ? 0 : (EXP[addMod(LOG[x] as number, logM)] as number);
}

function mulTable(logM: number): Int32Array {
  let t = mulTables[logM];
  if (t === undefined) {
    t = new Int32Array(512);
    for (let b = 0; b < 8; b++) {
      const lo = mulElem(1 << b, logM);
      const hi = mulElem(1 << (b + 8), logM);
      const w = 1 << b;
      for (let x = 0; x < w; x++) {
        t[w + x] = (t[x] as number) ^ lo;
        t[256 + w + x] = (t[256 + x] as number) ^ hi;
      }
    }
    mulTables[logM] = t;
  }
  return t;
}

// ======================================================================
// Scratch memory

let scratch32 = new Int32Array(0);
let scratch16 = new Uint16Array(0);

function ensureScratch(words: number): void {
  if (scratch32.length < words) {
    scratch32 = new Int32Array(words);
    scratch16 = new Uint16Array(scratch32.buffer);
  }
}

/**
 * Upper bound (in 32-bit words) of the work area of one block. Element ranges are processed in blocks
 * only to bound memory: measurements on a 2-vCPU EPYC showed no gain from cache-sized blocks (the
 * kernels are compute-bound) and a clear loss from short slots (per-call overhead), so blocks are large.
 */
const DEFAULT_TARGET_BLOCK_WORDS = 1 << 22;
/** Lower bound of a block's words per shard slot. */
const DEFAULT_MIN_BLOCK_WORDS = 1024;
let targetBlockWords = DEFAULT_TARGET_BLOCK_WORDS;
let minBlockWords = DEFAULT_MIN_BLOCK_WORDS;

/**
 * Testing hook: change the block sizing (work-area words per block, minimum words per shard slot) so
 * that multi-block processing can be exercised on small inputs. Call without arguments to restore
 * the defaults. Results never depend on the block sizes.
 * @internal
 */
export function _setRsBlockingForTests(targetWords?: number, minWords?: number): void {
  targetBlockWords = targetWords ?? DEFAULT_TARGET_BLOCK_WORDS;
  minBlockWords = Math.max(1, minWords ?? DEFAULT_MIN_BLOCK_WORDS);
}

/** Words per shard slot for a work area of `slots` shards covering `words` words in total. */
function blockWords(slots: number, words: number): number {
  let b = Math.floor(targetBlockWords / slots);
  if (b < minBlockWords) b = minBlockWords;
  if (b > words) b = words;
  // Spread the words evenly over the blocks.
  const blocks = Math.ceil(words / b);
  return Math.ceil(words / blocks);
}

// ======================================================================
// Word kernels. A word holds two elements; `w` is the work area, shards occupy `B` words each.

/** w[i .. i+len) ^= w[j .. j+len) */
function xorRange(w: Int32Array, i: number, j: number, len: number): void {
  for (const end = i + len; i < end; i++, j++) w[i] = (w[i] as number) ^ (w[j] as number);
}

/** In place: w[i .. i+len) *= m (table t). */
function mulRange(w: Int32Array, i: number, len: number, t: Int32Array): void {
  for (const end = i + len; i < end; i++) {
    const x = w[i] as number;
    w[i] =
      ((t[x & 255] as number) ^ (t[256 | ((x >>> 8) & 255)] as number)) |
      (((t[(x >>> 16) & 255] as number) ^ (t[256 | (x >>> 24)] as number)) << 16);
  }
}

/** FFT butterfly on x = w[i..], y = w[i+s..]: x ^= y·m; y ^= x. */
function fft2(w: Int32Array, i: number, len: number, s: number, logM: number): void {
  const end = i + len;
  if (logM === GF_MODULUS) {
    for (; i < end; i++) w[i + s] = (w[i + s] as number) ^ (w[i] as number);
    return;
  }
  const t = mulTable(logM);
  for (; i < end; i++) {
    const y = w[i + s] as number;
    const x =
      (w[i] as number) ^
      (((t[y & 255] as number) ^ (t[256 | ((y >>> 8) & 255)] as number)) |
        (((t[(y >>> 16) & 255] as number) ^ (t[256 | (y >>> 24)] as number)) << 16));
    w[i] = x;
    w[i + s] = y ^ x;
  }
}

/** IFFT butterfly on x = w[i..], y = w[i+s..]: y ^= x; x ^= y·m. */
function ifft2(w: Int32Array, i: number, len: number, s: number, logM: number): void {
  const end = i + len;
  if (logM === GF_MODULUS) {
    for (; i < end; i++) w[i + s] = (w[i + s] as number) ^ (w[i] as number);
    return;
  }
  const t = mulTable(logM);
  for (; i < end; i++) {
    const x = w[i] as number;
    const y = (w[i + s] as number) ^ x;
    w[i + s] = y;
    w[i] =
      x ^
      (((t[y & 255] as number) ^ (t[256 | ((y >>> 8) & 255)] as number)) |
        (((t[(y >>> 16) & 255] as number) ^ (t[256 | (y >>> 24)] as number)) << 16));
  }
}

const ZERO_TABLE = new Int32Array(512);

function fftTable(logM: number): Int32Array {
  return logM === GF_MODULUS ? ZERO_TABLE : mulTable(logM);
}

/**
 * Two FFT layers on the quadruple (s0, s1, s2, s3) = w[i], w[i+s], w[i+2s], w[i+3s]:
 * first (s0,s2) and (s1,s3) with m02, then (s0,s1) with m01 and (s2,s3) with m23.
 */
function fft4(w: Int32Array, i: number, len: number, s: number, l01: number, l02: number, l23: number): void {
  const end = i + len;
  const s2 = 2 * s;
  const s3 = 3 * s;
  if (l01 === GF_MODULUS && l02 === GF_MODULUS && l23 === GF_MODULUS) {
    for (; i < end; i++) {
      const a0 = w[i] as number;
      const a1 = w[i + s] as number;
      const a2 = (w[i + s2] as number) ^ a0;
      const a3 = (w[i + s3] as number) ^ a1;
      w[i + s] = a1 ^ a0;
      w[i + s2] = a2;
      w[i + s3] = a3 ^ a2;
    }
    return;
  }
  if (l01 === GF_MODULUS && l02 === GF_MODULUS) {
    // The only partial pattern that occurs (group r = 0 with skew delta 0): one multiply per quad.
    const t = mulTable(l23);
    for (; i < end; i++) {
      const a0 = w[i] as number;
      const a3 = (w[i + s3] as number) ^ (w[i + s] as number);
      const a2 =
        (w[i + s2] as number) ^
        a0 ^
        (((t[a3 & 255] as number) ^ (t[256 | ((a3 >>> 8) & 255)] as number)) |
          (((t[(a3 >>> 16) & 255] as number) ^ (t[256 | (a3 >>> 24)] as number)) << 16));
      w[i + s] = (w[i + s] as number) ^ a0;
      w[i + s2] = a2;
      w[i + s3] = a3 ^ a2;
    }
    return;
  }
  const t01 = fftTable(l01);
  const t02 = fftTable(l02);
  const t23 = fftTable(l23);
  for (; i < end; i++) {
    let a0 = w[i] as number;
    let a1 = w[i + s] as number;
    let a2 = w[i + s2] as number;
    let a3 = w[i + s3] as number;
    a0 ^=
      ((t02[a2 & 255] as number) ^ (t02[256 | ((a2 >>> 8) & 255)] as number)) |
      (((t02[(a2 >>> 16) & 255] as number) ^ (t02[256 | (a2 >>> 24)] as number)) << 16);
    a2 ^= a0;
    a1 ^=
      ((t02[a3 & 255] as number) ^ (t02[256 | ((a3 >>> 8) & 255)] as number)) |
      (((t02[(a3 >>> 16) & 255] as number) ^ (t02[256 | (a3 >>> 24)] as number)) << 16);
    a3 ^= a1;
    a0 ^=
      ((t01[a1 & 255] as number) ^ (t01[256 | ((a1 >>> 8) & 255)] as number)) |
      (((t01[(a1 >>> 16) & 255] as number) ^ (t01[256 | (a1 >>> 24)] as number)) << 16);
    a1 ^= a0;
    a2 ^=
      ((t23[a3 & 255] as number) ^ (t23[256 | ((a3 >>> 8) & 255)] as number)) |
      (((t23[(a3 >>> 16) & 255] as number) ^ (t23[256 | (a3 >>> 24)] as number)) << 16);
    a3 ^= a2;
    w[i] = a0;
    w[i + s] = a1;
    w[i + s2] = a2;
    w[i + s3] = a3;
  }
}

/**
 * Two IFFT layers on the quadruple (s0, s1, s2, s3) = w[i], w[i+s], w[i+2s], w[i+3s]:
 * first (s0,s1) with m01 and (s2,s3) with m23, then (s0,s2) and (s1,s3) with m02.
 */
function ifft4(w: Int32Array, i: number, len: number, s: number, l01: number, l02: number, l23: number): void {
  const end = i + len;
  const s2 = 2 * s;
  const s3 = 3 * s;
  if (l01 === GF_MODULUS && l02 === GF_MODULUS && l23 === GF_MODULUS) {
    for (; i < end; i++) {
      const a0 = w[i] as number;
      const a1 = (w[i + s] as number) ^ a0;
      const a2 = w[i + s2] as number;
      const a3 = (w[i + s3] as number) ^ a2;
      w[i + s] = a1;
      w[i + s2] = a2 ^ a0;
      w[i + s3] = a3 ^ a1;
    }
    return;
  }
  if (l01 === GF_MODULUS && l02 === GF_MODULUS) {
    const t = mulTable(l23);
    for (; i < end; i++) {
      const a0 = w[i] as number;
      const a1 = (w[i + s] as number) ^ a0;
      const a2 = w[i + s2] as number;
      const a3 = (w[i + s3] as number) ^ a2;
      w[i + s] = a1;
      w[i + s2] =
        a2 ^
        a0 ^
        (((t[a3 & 255] as number) ^ (t[256 | ((a3 >>> 8) & 255)] as number)) |
          (((t[(a3 >>> 16) & 255] as number) ^ (t[256 | (a3 >>> 24)] as number)) << 16));
      w[i + s3] = a3 ^ a1;
    }
    return;
  }
  const t01 = fftTable(l01);
  const t02 = fftTable(l02);
  const t23 = fftTable(l23);
  for (; i < end; i++) {
    let a0 = w[i] as number;
    let a1 = w[i + s] as number;
    let a2 = w[i + s2] as number;
    let a3 = w[i + s3] as number;
    a1 ^= a0;
    a0 ^=
      ((t01[a1 & 255] as number) ^ (t01[256 | ((a1 >>> 8) & 255)] as number)) |
      (((t01[(a1 >>> 16) & 255] as number) ^ (t01[256 | (a1 >>> 24)] as number)) << 16);
    a3 ^= a2;
    a2 ^=
      ((t23[a3 & 255] as number) ^ (t23[256 | ((a3 >>> 8) & 255)] as number)) |
      (((t23[(a3 >>> 16) & 255] as number) ^ (t23[256 | (a3 >>> 24)] as number)) << 16);
    a2 ^= a0;
    a0 ^=
      ((t02[a2 & 255] as number) ^ (t02[256 | ((a2 >>> 8) & 255)] as number)) |
      (((t02[(a2 >>> 16) & 255] as number) ^ (t02[256 | (a2 >>> 24)] as number)) << 16);
    a3 ^= a1;
    a1 ^=
      ((t02[a3 & 255] as number) ^ (t02[256 | ((a3 >>> 8) & 255)] as number)) |
      (((t02[(a3 >>> 16) & 255] as number) ^ (t02[256 | (a3 >>> 24)] as number)) << 16);
    w[i] = a0;
    w[i + s] = a1;
    w[i + s2] = a2;
    w[i + s3] = a3;
  }
}

// ======================================================================
// Where the butterflies run

/** The TypeScript butterflies over the module's scratch area. */
const scriptButterflies: Butterflies = {
  stepWords: 1,
  get w() {
    return scratch32;
  },
  get w16() {
    return scratch16;
  },
  ensure: ensureScratch,
  xorRange: (i, j, len) => xorRange(scratch32, i, j, len),
  fft2: (i, len, s, logM) => fft2(scratch32, i, len, s, logM),
  ifft2: (i, len, s, logM) => ifft2(scratch32, i, len, s, logM),
  fft4: (i, len, s, l01, l02, l23) => fft4(scratch32, i, len, s, l01, l02, l23),
  ifft4: (i, len, s, l01, l02, l23) => ifft4(scratch32, i, len, s, l01, l02, l23),
};

let simdButterflies: Butterflies | null | undefined;
let encoderKind: "simd" | "script" | undefined;

/** The encoder's butterflies: SIMD where WebAssembly runs, else TypeScript. */
function encoderButterflies(): Butterflies {
  if (encoderKind === "script") return scriptButterflies;
  if (simdButterflies === undefined) simdButterflies = createSimdButterflies(mulTable, GF_MODULUS) ?? null;
  return simdButterflies ?? scriptButterflies;
}

/**
 * Testing hook: run the encoder on the TypeScript butterflies ("script") or the default (SIMD where
 * available, when undefined). Returns the kind the encoder now uses.
 * @internal
 */
export function _setRsButterfliesForTests(kind?: "script"): "simd" | "script" {
  encoderKind = kind;
  return encoderButterflies() === scriptButterflies ? "script" : "simd";
}

/** x rounded up to a multiple of `step`. */
function roundUp(x: number, step: number): number {
  return Math.ceil(x / step) * step;
}

// ======================================================================
// Transforms over shard slots. Slot j occupies w[j*B .. (j+1)*B).

/**
 * Additive FFT over slots [pos, pos+size) (size a power of two). Only outputs in
 * [pos, pos+truncated) are meaningful. Twiddle for the group at relative offset r and half-distance
 * dist is SKEW[r + dist + skewDelta - 1].
 */
function fft(k: Butterflies, B: number, pos: number, size: number, truncated: number, skewDelta: number): void {
  let dist4 = size;
  let dist = size >> 2;
  while (dist !== 0) {
    const len = dist * B;
    for (let r = 0; r < truncated; r += dist4) {
      const base = r + dist + skewDelta - 1;
      k.fft4(
        (pos + r) * B,
        len,
        len,
        SKEW[base] as number,
        SKEW[base + dist] as number,
        SKEW[base + 2 * dist] as number,
      );
    }
    dist4 = dist;
    dist >>= 2;
  }
  if (dist4 === 2) {
    for (let r = 0; r < truncated; r += 2) k.fft2((pos + r) * B, B, B, SKEW[r + skewDelta] as number);
  }
}

/** Inverse of {@link fft}; inputs in [pos+truncated, pos+size) must be zero. */
function ifft(k: Butterflies, B: number, pos: number, size: number, truncated: number, skewDelta: number): void {
  let dist = 1;
  let dist4 = 4;
  while (dist4 <= size) {
    const len = dist * B;
    for (let r = 0; r < truncated; r += dist4) {
      const base = r + dist + skewDelta - 1;
      k.ifft4(
        (pos + r) * B,
        len,
        len,
        SKEW[base] as number,
        SKEW[base + dist] as number,
        SKEW[base + 2 * dist] as number,
      );
    }
    dist = dist4;
    dist4 <<= 2;
  }
  if (dist < size) k.ifft2(pos * B, dist * B, dist * B, SKEW[dist + skewDelta - 1] as number);
}

/** Formal derivative over slots [0, count): for i >= 1, slots [i-w, i) ^= [i, i+w), w = lowbit(i). */
function formalDerivative(w: Int32Array, B: number, count: number): void {
  for (let i = 1; i < count; i++) {
    const width = i & -i;
    xorRange(w, (i - width) * B, i * B, width * B);
  }
}

// ======================================================================
// Encoder

function checkRange(
  name: string,
  arr: { length: number },
  offset: number,
  stride: number,
  count: number,
  e0: number,
  e1: number,
): void {
  if (!Number.isInteger(offset) || !Number.isInteger(stride)) {
    throw new RangeError(`${name}: offset and stride must be integers`);
  }
  if (e1 === e0 || count === 0) return;
  const lo = offset + e0 + Math.min(0, (count - 1) * stride);
  const hi = offset + e1 + Math.max(0, (count - 1) * stride);
  if (lo < 0 || hi > arr.length) {
    throw new RangeError(`${name}: shard range out of bounds (needs [${lo}, ${hi}), length ${arr.length})`);
  }
}

/**
 * Encode element positions [e0, e1) of k original shards (shard i's element e at
 * src[srcOffset + i*srcStride + e]) into m recovery shards (recovery j's element e written to
 * dst[dstOffset + j*dstStride + e]). Equals reed-solomon-simd's output for every element position.
 * No alignment constraints on offsets, strides or the range.
 */
export function rsEncodeInto(
  k: number,
  m: number,
  src: Uint16Array,
  srcOffset: number,
  srcStride: number,
  dst: Uint16Array,
  dstOffset: number,
  dstStride: number,
  e0: number,
  e1: number,
): void {
  const high = useHighRate(k, m);
  if (!Number.isInteger(e0) || !Number.isInteger(e1) || e0 < 0 || e1 < e0) {
    throw new RangeError(`rsEncodeInto: invalid element range [${e0}, ${e1})`);
  }
  checkRange("rsEncodeInto src", src, srcOffset, srcStride, k, e0, e1);
  checkRange("rsEncodeInto dst", dst, dstOffset, dstStride, m, e0, e1);
  const total = e1 - e0;
  if (total === 0) return;
  const words = Math.ceil(total / 2);
  const K = encoderButterflies();

  if (high) {
    const C = nextPow2(m);
    const slots = k > C ? 2 * C : C;
    const B = roundUp(blockWords(slots, words), K.stepWords);
    K.ensure(slots * B);
    const w = K.w;
    const w16 = K.w16;
    const E = 2 * B; // elements per slot
    const tmp = C; // slot index of the temporary chunk
    for (let be = e0; be < e1; be += E) {
      const n = Math.min(E, e1 - be);
      const bw = roundUp(Math.ceil(n / 2), K.stepWords);
      // First chunk, into slots [0, C).
      const first = Math.min(k, C);
      for (let i = 0; i < first; i++) {
        const o = srcOffset + i * srcStride + be;
        w16.set(src.subarray(o, o + n), i * E);
      }
      for (let i = first; i < C; i++) w.fill(0, i * B, i * B + bw);
      ifft(K, B, 0, C, first, C);
      // Further chunks, each transformed in the temporary area and added to the first.
      for (let cs = C; cs < k; cs += C) {
        const cnt = Math.min(C, k - cs);
        for (let i = 0; i < cnt; i++) {
          const o = srcOffset + (cs + i) * srcStride + be;
          w16.set(src.subarray(o, o + n), (tmp + i) * E);
        }
        for (let i = cnt; i < C; i++) w.fill(0, (tmp + i) * B, (tmp + i) * B + bw);
        ifft(K, B, tmp, C, cnt, cs + C);
        for (let i = 0; i < C; i++) K.xorRange(i * B, (tmp + i) * B, bw);
      }
      fft(K, B, 0, C, m, 0);
      for (let j = 0; j < m; j++) {
        dst.set(w16.subarray(j * E, j * E + n), dstOffset + j * dstStride + be);
      }
    }
  } else {
    const C = nextPow2(k);
    const slots = m > C ? 2 * C : C;
    const B = roundUp(blockWords(slots, words), K.stepWords);
    K.ensure(slots * B);
    const w = K.w;
    const w16 = K.w16;
    const E = 2 * B;
    const tmp = C;
    for (let be = e0; be < e1; be += E) {
      const n = Math.min(E, e1 - be);
      const bw = roundUp(Math.ceil(n / 2), K.stepWords);
      for (let i = 0; i < k; i++) {
        const o = srcOffset + i * srcStride + be;
        w16.set(src.subarray(o, o + n), i * E);
      }
      for (let i = k; i < C; i++) w.fill(0, i * B, i * B + bw);
      ifft(K, B, 0, C, k, 0);
      for (let cs = 0; cs < m; cs += C) {
        const cnt = Math.min(C, m - cs);
        let at = 0;
        if (cs + C < m) {
          // Not the last chunk: transform a copy so the IFFT result stays available.
          for (let i = 0; i < C; i++) w.copyWithin((tmp + i) * B, i * B, i * B + bw);
          at = tmp;
        }
        fft(K, B, at, C, cnt, cs + C);
        for (let j = 0; j < cnt; j++) {
          dst.set(w16.subarray((at + j) * E, (at + j) * E + n), dstOffset + (cs + j) * dstStride + be);
        }
      }
    }
  }
}

/** Convenience: k originals (equal lengths) → m recovery shards. */
export function rsEncode(originals: readonly Uint16Array[], recoveryCount: number): Uint16Array[] {
  const k = originals.length;
  useHighRate(k, recoveryCount);
  const len = (originals[0] as Uint16Array).length;
  for (const o of originals) {
    if (o.length !== len) throw new RangeError("rsEncode: original shards must have equal lengths");
  }
  const src = new Uint16Array(k * len);
  for (let i = 0; i < k; i++) src.set(originals[i] as Uint16Array, i * len);
  const dst = new Uint16Array(recoveryCount * len);
  rsEncodeInto(k, recoveryCount, src, 0, len, dst, 0, len, 0, len);
  const out: Uint16Array[] = [];
  for (let j = 0; j < recoveryCount; j++) out.push(dst.subarray(j * len, (j + 1) * len));
  return out;
}

// ======================================================================
// Decoder

/** Cache of the last erasure-locator evaluation (it depends only on (k, m) and the erasure pattern). */
let lastPatternKey = "";
let lastPatternLogs: Uint16Array | undefined;

/**
 * Decoder core. `chosen` lists exactly k distinct symbol indices (t < k original t, t >= k recovery
 * t-k); the r-th chosen symbol's element e is at srcArrays[r][srcOffsets[r] + e]. Original i's
 * element e is written to dstArrays[i][dstOffsets[i] + e], for e in [e0, e1).
 */
function decodeCore(
  k: number,
  m: number,
  chosen: readonly number[],
  srcArrays: readonly Uint16Array[],
  srcOffsets: readonly number[],
  dstArrays: readonly Uint16Array[],
  dstOffsets: readonly number[],
  e0: number,
  e1: number,
): void {
  const total = e1 - e0;
  if (total <= 0) return;
  const high = useHighRate(k, m);

  // Where the r-th chosen symbol sits in the work area, and which originals are missing.
  const C = high ? nextPow2(m) : nextPow2(k);
  const end = C + (high ? k : m);
  const workCount = nextPow2(end);
  const originalPos = (i: number): number => (high ? C + i : i);
  const recoveryPos = (j: number): number => (high ? j : C + j);
  const slotOfChosen: number[] = chosen.map((t) => (t < k ? originalPos(t) : recoveryPos(t - k)));
  const originalSource = new Int32Array(k).fill(-1);
  chosen.forEach((t, r) => {
    if (t < k) originalSource[t] = r;
  });
  const missing: number[] = [];
  for (let i = 0; i < k; i++) if (originalSource[i] === -1) missing.push(i);

  if (missing.length > 0) {
    decodeMissing(
      k,
      m,
      high,
      C,
      end,
      workCount,
      chosen,
      slotOfChosen,
      missing,
      srcArrays,
      srcOffsets,
      dstArrays,
      dstOffsets,
      e0,
      e1,
    );
  }

  // Received originals are copied through unchanged (after decoding, in case dst aliases src).
  for (let i = 0; i < k; i++) {
    const r = originalSource[i] as number;
    if (r < 0) continue;
    const s = srcArrays[r] as Uint16Array;
    const so = (srcOffsets[r] as number) + e0;
    const d = dstArrays[i] as Uint16Array;
    const dOff = (dstOffsets[i] as number) + e0;
    if (s !== d || so !== dOff) d.set(s.subarray(so, so + total), dOff);
  }
}

function decodeMissing(
  k: number,
  m: number,
  high: boolean,
  C: number,
  end: number,
  workCount: number,
  chosen: readonly number[],
  slotOfChosen: readonly number[],
  missing: readonly number[],
  srcArrays: readonly Uint16Array[],
  srcOffsets: readonly number[],
  dstArrays: readonly Uint16Array[],
  dstOffsets: readonly number[],
  e0: number,
  e1: number,
): void {
  const total = e1 - e0;
  const originalPos = (i: number): number => (high ? C + i : i);

  // Erasure locator logs.
  const key = `${k},${m},${[...chosen].sort((a, b) => a - b).join(",")}`;
  let logs = lastPatternKey === key ? lastPatternLogs : undefined;
  if (logs === undefined) {
    logs = new Uint16Array(GF_ORDER);
    logs.fill(1, 0, high ? end : GF_ORDER);
    if (!high) logs.fill(0, k, C); // padding between originals and recoveries is not an erasure
    for (const p of slotOfChosen) logs[p] = 0;
    evalPoly(logs, high ? end : GF_ORDER);
    lastPatternKey = key;
    lastPatternLogs = logs;
  }

  const words = Math.ceil(total / 2);
  const B = blockWords(workCount, words);
  const K = scriptButterflies;
  K.ensure(workCount * B);
  const w = K.w;
  const w16 = K.w16;
  const E = 2 * B;
  const received = new Uint8Array(workCount);
  for (const p of slotOfChosen) received[p] = 1;
  const revealTables = missing.map((i) => mulTable(GF_MODULUS - (logs[originalPos(i)] as number)));
  const receiveTables = slotOfChosen.map((p) => mulTable(logs[p] as number));

  for (let be = e0; be < e1; be += E) {
    const n = Math.min(E, e1 - be);
    const bw = Math.ceil(n / 2);
    for (let p = 0; p < workCount; p++) if (received[p] === 0) w.fill(0, p * B, p * B + bw);
    for (let r = 0; r < chosen.length; r++) {
      const p = slotOfChosen[r] as number;
      const o = (srcOffsets[r] as number) + be;
      w16.set((srcArrays[r] as Uint16Array).subarray(o, o + n), p * E);
      mulRange(w, p * B, bw, receiveTables[r] as Int32Array);
    }
    ifft(K, B, 0, workCount, end, 0);
    formalDerivative(w, B, workCount);
    // Only the originals' outputs are needed: [0, k) at low rate, [C, C + k) = [C, end) at high rate.
    fft(K, B, 0, workCount, high ? end : k, 0);
    for (let q = 0; q < missing.length; q++) {
      const i = missing[q] as number;
      const p = originalPos(i);
      mulRange(w, p * B, bw, revealTables[q] as Int32Array);
      (dstArrays[i] as Uint16Array).set(w16.subarray(p * E, p * E + n), (dstOffsets[i] as number) + be);
    }
  }
}

/** Validate received indices and pick exactly k of them, originals first. Returns positions into the input. */
function chooseShards(k: number, m: number, indices: ArrayLike<number>): number[] {
  const seen = new Uint8Array(k + m);
  const originals: number[] = [];
  const recoveries: number[] = [];
  for (let r = 0; r < indices.length; r++) {
    const t = indices[r] as number;
    if (!Number.isInteger(t) || t < 0 || t >= k + m) {
      throw new RsDecodeError(`symbol index ${t} out of range: must be an integer in [0, ${k + m})`);
    }
    if (seen[t] === 1) continue; // duplicate: keep the first
    seen[t] = 1;
    (t < k ? originals : recoveries).push(r);
  }
  const distinct = originals.length + recoveries.length;
  if (distinct < k) {
    throw new RsDecodeError(`not enough shards to decode: need ${k} distinct symbols, got ${distinct}`);
  }
  return originals.concat(recoveries.slice(0, k - originals.length));
}

/**
 * Decode: given at least k received shards as [symbolIndex, shard] (index t < k is original t,
 * t >= k is recovery t-k; all shards of equal length), return all k original shards. Received
 * originals are returned as-is (the same Uint16Array objects); missing ones are freshly allocated.
 * Duplicate indices: the first occurrence is kept. With more than k shards, originals are preferred.
 * Throws {@link RsDecodeError} for too few distinct indices, an index out of range or unequal
 * lengths, and {@link RsParameterError} for unsupported (k, m).
 */
export function rsDecode(k: number, m: number, received: ReadonlyArray<readonly [number, Uint16Array]>): Uint16Array[] {
  useHighRate(k, m);
  if (received.length === 0) throw new RsDecodeError(`not enough shards to decode: need ${k} distinct symbols, got 0`);
  const len = (received[0] as readonly [number, Uint16Array])[1].length;
  for (const [t, s] of received) {
    if (s.length !== len) {
      throw new RsDecodeError(`shard lengths differ: symbol ${t} has ${s.length} elements, expected ${len}`);
    }
  }
  const picks = chooseShards(
    k,
    m,
    received.map(([t]) => t),
  );
  const chosen = picks.map((r) => (received[r] as readonly [number, Uint16Array])[0]);
  const srcArrays = picks.map((r) => (received[r] as readonly [number, Uint16Array])[1]);
  const srcOffsets = picks.map(() => 0);
  const out: (Uint16Array | undefined)[] = new Array<Uint16Array | undefined>(k);
  chosen.forEach((t, r) => {
    if (t < k) out[t] = srcArrays[r];
  });
  for (let i = 0; i < k; i++) if (out[i] === undefined) out[i] = new Uint16Array(len);
  const result = out as Uint16Array[];
  decodeCore(
    k,
    m,
    chosen,
    srcArrays,
    srcOffsets,
    result,
    result.map(() => 0),
    0,
    len,
  );
  return result;
}

/**
 * Strided decode, the counterpart of {@link rsEncodeInto}: `indices[r]` is the symbol index of the
 * r-th received shard, whose element e is at src[srcOffset + r*srcStride + e]. Writes element
 * positions [e0, e1) of all k original shards to dst[dstOffset + i*dstStride + e] (received originals
 * are copied). Duplicates keep the first; with more than k shards, originals are preferred.
 */
export function rsDecodeInto(
  k: number,
  m: number,
  indices: ArrayLike<number>,
  src: Uint16Array,
  srcOffset: number,
  srcStride: number,
  dst: Uint16Array,
  dstOffset: number,
  dstStride: number,
  e0: number,
  e1: number,
): void {
  useHighRate(k, m);
  if (!Number.isInteger(e0) || !Number.isInteger(e1) || e0 < 0 || e1 < e0) {
    throw new RangeError(`rsDecodeInto: invalid element range [${e0}, ${e1})`);
  }
  const picks = chooseShards(k, m, indices);
  checkRange("rsDecodeInto src", src, srcOffset, srcStride, indices.length, e0, e1);
  checkRange("rsDecodeInto dst", dst, dstOffset, dstStride, k, e0, e1);
  const chosen = picks.map((r) => indices[r] as number);
  decodeCore(
    k,
    m,
    chosen,
    picks.map(() => src),
    picks.map((r) => srcOffset + r * srcStride),
    Array.from({ length: k }, () => dst),
    Array.from({ length: k }, (_, i) => dstOffset + i * dstStride),
    e0,
    e1,
  );
}
