/**
 * GF(2^16) arithmetic exactly as used by reed-solomon-simd 3.x (Leopard-style additive FFT).
 *
 * Field elements are 16-bit values interpreted as coordinate vectors in the Cantor basis
 * `CANTOR_BASIS`; addition is XOR. Multiplication goes through discrete logarithms: `LOG[x]` is the
 * logarithm of `x` (with `LOG[0] = 65535`), `EXP[l]` the element whose logarithm is `l`
 * (`EXP[65535] = EXP[0] = 1`). Logarithms are added modulo 65535 with ones'-complement
 * arithmetic (`addMod`), which may leave the value 65535 in place of 0.
 *
 * `SKEW` holds the logarithms of the twiddle factors of the additive FFT; a twiddle whose
 * logarithm is 65535 stands for the factor 0 (the butterfly reduces to an XOR).
 *
 * `logWalsh()` returns the Walsh–Hadamard transform of the log table used by the decoder's
 * erasure locator; it is built on first use.
 *
 * This is an independent TypeScript implementation of the construction described in
 * reed-solomon-simd (MIT AND BSD-3-Clause, derived from Leopard-RS).
 *
 * @module
 */

/** Number of bits of a field element. */
export const GF_BITS = 16;
/** Number of field elements. */
export const GF_ORDER = 65536;
/** Multiplicative group order; also the "zero" logarithm marker. */
export const GF_MODULUS = 65535;
/** Defining polynomial x^16 + x^5 + x^3 + x^2 + 1. */
export const GF_POLYNOMIAL = 0x1002d;

/** The Cantor basis in which field elements are expressed. */
export const CANTOR_BASIS: readonly number[] = Object.freeze([
  0x0001, 0xacca, 0x3c0e, 0x163e, 0xc582, 0xed2e, 0x914c, 0x4012, 0x6c98, 0x10d8, 0x6a72, 0xb900, 0xfdb8, 0xfb34,
  0xff38, 0x991e,
]);

/** Ones'-complement addition of two logarithms, as the crate does it (result in 0..65535). */
export function addMod(x: number, y: number): number {
  const s = x + y;
  return (s + (s >>> 16)) & 0xffff;
}

/** Ones'-complement subtraction of two logarithms, as the crate does it (result in 0..65535). */
export function subMod(x: number, y: number): number {
  const d = (x - y) >>> 0;
  return (d + (d >>> 16)) & 0xffff;
}

function buildExpLog(): { exp: Uint16Array; log: Uint16Array } {
  // Polynomial-basis discrete logarithm via an LFSR walk over the multiplicative group.
  const polyLog = new Uint16Array(GF_ORDER);
  let state = 1;
  for (let i = 0; i < GF_MODULUS; i++) {
    polyLog[state] = i;
    state <<= 1;
    if (state >= GF_ORDER) state ^= GF_POLYNOMIAL;
  }
  polyLog[0] = GF_MODULUS;

  // cantor[j] = polynomial-basis value of the element with Cantor coordinates j.
  const log = new Uint16Array(GF_ORDER);
  for (let b = 0; b < GF_BITS; b++) {
    const width = 1 << b;
    const basis = CANTOR_BASIS[b] as number;
    for (let j = 0; j < width; j++) log[j + width] = (log[j] as number) ^ basis;
  }
  for (let i = 0; i < GF_ORDER; i++) log[i] = polyLog[log[i] as number] as number;

  const exp = new Uint16Array(GF_ORDER);
  for (let i = 0; i < GF_ORDER; i++) exp[log[i] as number] = i;
  exp[GF_MODULUS] = exp[0] as number;
  return { exp, log };
}

const tables = buildExpLog();

/** EXP[l] = element with logarithm l (EXP[65535] = EXP[0] = 1). */
export const EXP: Uint16Array = tables.exp;
/** LOG[x] = logarithm of x (LOG[0] = 65535). */
export const LOG: Uint16Array = tables.log;

/** `x * m` where `logM` is the logarithm of `m` (`x` = 0 gives 0; `logM` = 65535 multiplies by 1). */
export function mul(x: number, logM: number): number {
  if (x === 0) return 0;
  return EXP[addMod(LOG[x] as number, logM)] as number;
}

function buildSkew(): Uint16Array {
  const skew = new Uint16Array(GF_MODULUS);
  const temp = new Array<number>(GF_BITS - 1);
  for (let i = 1; i < GF_BITS; i++) temp[i - 1] = 1 << i;

  for (let m = 0; m < GF_BITS - 1; m++) {
    const step = 1 << (m + 1);
    skew[(1 << m) - 1] = 0;
    for (let i = m; i < GF_BITS - 1; i++) {
      const s = 1 << (i + 1);
      const t = temp[i] as number;
      for (let j = (1 << m) - 1; j < s; j += step) skew[j + s] = (skew[j] as number) ^ t;
    }
    const tm = temp[m] as number;
    temp[m] = GF_MODULUS - (LOG[mul(tm, LOG[tm ^ 1] as number)] as number);
    for (let i = m + 1; i < GF_BITS - 1; i++) {
      const ti = temp[i] as number;
      temp[i] = mul(ti, addMod(LOG[ti ^ 1] as number, temp[m] as number));
    }
  }
  for (let i = 0; i < GF_MODULUS; i++) skew[i] = LOG[skew[i] as number] as number;
  return skew;
}

/** Logarithms of the FFT twiddle factors (65535 entries; 65535 means "factor 0"). */
export const SKEW: Uint16Array = buildSkew();

/**
 * In-place Walsh–Hadamard transform over Z/65535 (ones'-complement add/sub), two layers per pass.
 * Only the first `truncated` entries may be non-zero on input; the result is the full transform.
 */
export function fwht(data: Uint16Array, truncated: number): void {
  for (let dist = 1, dist4 = 4; dist4 <= GF_ORDER; dist = dist4, dist4 <<= 2) {
    for (let r = 0; r < truncated; r += dist4) {
      const end = r + dist;
      for (let i0 = r; i0 < end; i0++) {
        const i1 = i0 + dist;
        const i2 = i1 + dist;
        const i3 = i2 + dist;
        const a0 = data[i0] as number;
        const a1 = data[i1] as number;
        const a2 = data[i2] as number;
        const a3 = data[i3] as number;
        const s0 = addMod(a0, a1);
        const d0 = subMod(a0, a1);
        const s1 = addMod(a2, a3);
        const d1 = subMod(a2, a3);
        data[i0] = addMod(s0, s1);
        data[i1] = addMod(d0, d1);
        data[i2] = subMod(s0, s1);
        data[i3] = subMod(d0, d1);
      }
    }
  }
}

let logWalshTable: Uint16Array | undefined;

/** LOG with entry 0 replaced by 0, Walsh–Hadamard transformed (decoder only; built lazily). */
export function logWalsh(): Uint16Array {
  if (logWalshTable === undefined) {
    const t = new Uint16Array(LOG);
    t[0] = 0;
    fwht(t, GF_ORDER);
    logWalshTable = t;
  }
  return logWalshTable;
}

/**
 * Erasure-locator evaluation of the decoder: `erasures` (65536 entries, 1 at erased positions and 0
 * elsewhere; only the first `truncated` may be non-zero) is replaced in place by the logarithms the
 * decoder multiplies received shards with.
 */
export function evalPoly(erasures: Uint16Array, truncated: number): void {
  const lw = logWalsh();
  fwht(erasures, truncated);
  for (let i = 0; i < GF_ORDER; i++) {
    const p = (erasures[i] as number) * (lw[i] as number); // < 2^32, exact in a double
    erasures[i] = addMod(p & 0xffff, Math.floor(p / 65536));
  }
  fwht(erasures, GF_ORDER);
}
