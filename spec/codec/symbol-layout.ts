/**
 * Conversion between Walrus symbol bytes and GF(2^16) elements, in reed-solomon-simd's byte layout.
 *
 * A symbol of S bytes (S even) holds S/2 elements. With W = floor(S/64) whole 64-byte blocks and a
 * tail of T = S mod 64 bytes (t = T/2 elements):
 * - element p < 32·W, with c = floor(p/32) and q = p mod 32: low byte at 64c + q, high byte at
 *   64c + 32 + q (each block is 32 low bytes followed by 32 high bytes);
 * - element 32·W + q (q < t): low byte at 64W + q, high byte at 64W + t + q (the tail is t low bytes
 *   followed by t high bytes).
 *
 * Element value = low | high << 8. For S = 2 this is a single little-endian u16.
 *
 * @module
 */

function checkSymbolSize(symbolSize: number): void {
  if (!Number.isInteger(symbolSize) || symbolSize <= 0 || symbolSize % 2 !== 0) {
    throw new RangeError(`symbol size must be a positive even integer, got ${symbolSize}`);
  }
}

function checkCount(count: number): void {
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
}

/**
 * Convert `count` consecutive symbols of `symbolSize` bytes (crate byte layout) at `bytes[byteOffset]`
 * into `count * symbolSize / 2` elements at `out[outOffset]`: symbol s's element e goes to
 * `out[outOffset + s * (symbolSize / 2) + e]`.
 */
export function symbolsToElements(
  bytes: Uint8Array,
  byteOffset: number,
  symbolSize: number,
  count: number,
  out: Uint16Array,
  outOffset: number,
): void {
  checkSymbolSize(symbolSize);
  checkCount(count);
  if (byteOffset < 0 || byteOffset + count * symbolSize > bytes.length) {
    throw new RangeError("symbolsToElements: input range out of bounds");
  }
  const half = symbolSize >> 1;
  if (outOffset < 0 || outOffset + count * half > out.length) {
    throw new RangeError("symbolsToElements: output range out of bounds");
  }
  const blocks = Math.floor(symbolSize / 64);
  const t = (symbolSize % 64) >> 1;
  let b = byteOffset;
  let o = outOffset;
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < blocks; c++) {
      for (let q = 0; q < 32; q++) out[o + q] = (bytes[b + q] as number) | ((bytes[b + 32 + q] as number) << 8);
      b += 64;
      o += 32;
    }
    for (let q = 0; q < t; q++) out[o + q] = (bytes[b + q] as number) | ((bytes[b + t + q] as number) << 8);
    b += 2 * t;
    o += t;
  }
}

/** The inverse of {@link symbolsToElements}. */
export function elementsToSymbols(
  elements: Uint16Array,
  elementOffset: number,
  symbolSize: number,
  count: number,
  out: Uint8Array,
  outOffset: number,
): void {
  checkSymbolSize(symbolSize);
  checkCount(count);
  const half = symbolSize >> 1;
  if (elementOffset < 0 || elementOffset + count * half > elements.length) {
    throw new RangeError("elementsToSymbols: input range out of bounds");
  }
  if (outOffset < 0 || outOffset + count * symbolSize > out.length) {
    throw new RangeError("elementsToSymbols: output range out of bounds");
  }
  const blocks = Math.floor(symbolSize / 64);
  const t = (symbolSize % 64) >> 1;
  let b = outOffset;
  let e = elementOffset;
  for (let s = 0; s < count; s++) {
    for (let c = 0; c < blocks; c++) {
      for (let q = 0; q < 32; q++) {
        const v = elements[e + q] as number;
        out[b + q] = v & 0xff;
        out[b + 32 + q] = v >>> 8;
      }
      b += 64;
      e += 32;
    }
    for (let q = 0; q < t; q++) {
      const v = elements[e + q] as number;
      out[b + q] = v & 0xff;
      out[b + t + q] = v >>> 8;
    }
    b += 2 * t;
    e += t;
  }
}
