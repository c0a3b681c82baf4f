/**
 * BLAKE2b-256 (RFC 7693, unkeyed, digest length 32) in pure TypeScript, tuned for
 * Walrus Merkle trees: leaf hash H(0x00 ‖ leaf), inner node H(0x01 ‖ left ‖ right).
 *
 * Digests are handled as 8 little-endian u32 words (a `Uint32Array` slice) so that
 * tree levels can live in one flat word array without byte shuffling; use
 * {@link digestWordsToBytes} / {@link digestBytesToWords} at the boundaries.
 *
 * The compression function is generated (fully unrolled) by `scripts/gen-blake2b.ts`
 * into `./blake2b-compress.ts`. The word views assume a little-endian platform,
 * which is checked at module load.
 *
 * All hashing goes through module-level scratch arrays (JS is single-threaded; each
 * worker has its own module instance). The hashing functions do not allocate, except
 * that {@link blake2b256} returns a fresh digest, {@link digestWordsToBytes} may, and
 * a batch ({@link hashLeavesInto}) or an input of 4 KiB or more creates one
 * Int32Array view of the input's buffer per call (released when the call returns).
 */
import { compress, compressShort, innerNode, MESSAGE, SHORT_MAX_BYTES, STATE, shortBlock } from "./blake2b-compress.js";

if (new Uint8Array(new Uint32Array([0x01020304]).buffer)[0] !== 0x04) {
  throw new Error("spec/hash/blake2b: a little-endian platform is required (typed-array word views)");
}

/** Merkle leaf domain-separation prefix. */
export const LEAF_PREFIX = 0x00;
/** Merkle inner-node domain-separation prefix. */
export const INNER_PREFIX = 0x01;
/** Digest length in bytes / in u32 words. */
export const DIGEST_BYTES = 32;
/** The digest in 32-bit words. */
export const DIGEST_WORDS = 8;
/** BLAKE2b block length in bytes. */
export const BLOCK_BYTES = 128;

/** Message words read by {@link shortBlock}: 4 * 17 = 68 = SHORT_MAX_BYTES bytes. */
const SHORT_WORDS = 17;

/** Chaining value of the running hash (16 u32 words = 8 64-bit words as low, high halves). */
const H = STATE;
/** Message block to compress next (32 LE u32 words = 128 bytes). */
const M = MESSAGE;
/** Digest scratch for {@link blake2b256}. */
const D = new Uint32Array(8);

/** Reset H to the BLAKE2b-256 initial state: IV with h[0] ^= 0x01010020 (digest length 32, key length 0, fanout 1, depth 1). */
function initState(): void {
  H[0] = 0xf3bcc908 ^ 0x01010020;
  H[1] = 0x6a09e667;
  H[2] = 0x84caa73b;
  H[3] = 0xbb67ae85;
  H[4] = 0xfe94f82b;
  H[5] = 0x3c6ef372;
  H[6] = 0x5f1d36f1;
  H[7] = 0xa54ff53a;
  H[8] = 0xade682d1;
  H[9] = 0x510e527f;
  H[10] = 0x2b3e6c1f;
  H[11] = 0x9b05688c;
  H[12] = 0xfb41bd6b;
  H[13] = 0x1f83d9ab;
  H[14] = 0x137e2179;
  H[15] = 0x5be0cd19;
}

const NO_WORDS: Int32Array<ArrayBufferLike> = new Int32Array(0);
/**
 * Word-wise input access, set up by {@link attach} for the duration of one public
 * call (and dropped again by {@link detach}, so that no input buffer is retained):
 * `words` is an Int32Array over the whole buffer of the input, `wordsBase` the
 * input's byte offset in that buffer. With `words` empty, input is read byte-wise.
 */
let words = NO_WORDS;
let wordsBase = 0;

/**
 * A single input shorter than this is read byte-wise: creating the word view costs
 * about as much as it saves below a few KiB. A batch of leaves ({@link hashLeavesInto})
 * shares one view.
 */
const WORD_VIEW_MIN_BYTES = 4096;

function attach(src: Uint8Array): void {
  const buffer = src.buffer;
  words = new Int32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  wordsBase = src.byteOffset;
}

function detach(): void {
  words = NO_WORDS;
}

/**
 * Load message words M[0 .. count) (count = 32 for a whole block): block byte i is
 * src[q + i] for i < n and 0 for i >= n (0 <= n <= 4 * count). If `first` >= 0,
 * block byte 0 is `first` instead and src[q] is not read (q may then be -1).
 */
function loadBlock(src: Uint8Array, q: number, n: number, first: number, count: number): void {
  const full = n >>> 2;
  let k = 0;
  if (first >= 0) {
    let w = first;
    const lim = Math.min(n, 4);
    for (let i = 1; i < lim; i++) w |= src[q + i]! << (8 * i);
    M[0] = w;
    k = 1;
  }
  const W = words;
  if (W.length !== 0 && full - k >= 4) {
    // Whole words from the aligned u32 words of the underlying buffer, shifted into
    // place (the input may start at any byte). Words past the view (possible only
    // at the very end of the buffer) are left to the byte-wise loop below.
    const a = wordsBase + q + 4 * k; // buffer address of block word k
    const s = a & 3;
    let i = (a - s) / 4;
    if (s === 0) {
      const end = Math.min(full, k + W.length - i);
      for (; k + 4 <= end; k += 4) {
        M[k] = W[i]!;
        M[k + 1] = W[i + 1]!;
        M[k + 2] = W[i + 2]!;
        M[k + 3] = W[i + 3]!;
        i += 4;
      }
      for (; k < end; k++) M[k] = W[i++]!;
    } else {
      // word k is made of W[i] and W[i + 1]
      const end = Math.min(full, k + W.length - 1 - i);
      const r = 8 * s;
      const l = 32 - r;
      let prev = W[i]!;
      for (; k + 4 <= end; k += 4) {
        const w1 = W[i + 1]!;
        const w2 = W[i + 2]!;
        const w3 = W[i + 3]!;
        const w4 = W[i + 4]!;
        M[k] = (prev >>> r) | (w1 << l);
        M[k + 1] = (w1 >>> r) | (w2 << l);
        M[k + 2] = (w2 >>> r) | (w3 << l);
        M[k + 3] = (w3 >>> r) | (w4 << l);
        prev = w4;
        i += 4;
      }
      for (; k < end; k++) {
        const cur = W[++i]!;
        M[k] = (prev >>> r) | (cur << l);
        prev = cur;
      }
    }
  }
  for (; k < full; k++) {
    const p = q + 4 * k;
    M[k] = src[p]! | (src[p + 1]! << 8) | (src[p + 2]! << 16) | (src[p + 3]! << 24);
  }
  if (k < count) {
    if (k === full) {
      const p = q + 4 * k;
      const r = n & 3;
      let w = 0;
      for (let i = 0; i < r; i++) w |= src[p + i]! << (8 * i);
      M[k++] = w;
    }
    for (; k < count; k++) M[k] = 0;
  }
}

/**
 * BLAKE2b-256 of (prefix ‖ src[offset .. offset + length)), where `prefix` is one
 * byte, or absent when negative. Digest words go to out[outOffset .. +8).
 */
function hashInto(
  prefix: number,
  src: Uint8Array,
  offset: number,
  length: number,
  out: Uint32Array,
  outOffset: number,
): void {
  const pre = prefix >= 0 ? 1 : 0;
  const total = length + pre;
  // src index of byte 0 of the (prefixed) stream
  const base = offset - pre;
  if (total <= SHORT_MAX_BYTES) {
    loadBlock(src, base, total, prefix, SHORT_WORDS);
    shortBlock(total, out, outOffset);
    return;
  }
  initState();
  let done = 0;
  let first = prefix;
  while (total - done > BLOCK_BYTES) {
    loadBlock(src, base + done, BLOCK_BYTES, first, 32);
    first = -1;
    done += BLOCK_BYTES;
    compress(done >>> 0, (done / 4294967296) >>> 0, false);
  }
  const n = total - done;
  if (n <= SHORT_MAX_BYTES) {
    loadBlock(src, base + done, n, first, SHORT_WORDS);
    compressShort(total >>> 0, (total / 4294967296) >>> 0, true);
  } else {
    loadBlock(src, base + done, n, first, 32);
    compress(total >>> 0, (total / 4294967296) >>> 0, true);
  }
  for (let i = 0; i < 8; i++) out[outOffset + i] = H[i]!;
}

function checkRange(src: Uint8Array, offset: number, length: number): void {
  if (!(offset >= 0 && length >= 0 && offset + length <= src.length)) {
    throw new RangeError(`blake2b: range [${offset}, ${offset + length}) outside input of length ${src.length}`);
  }
}

/** BLAKE2b-256 of arbitrary bytes (any length, including 0 and multi-block). */
export function blake2b256(data: Uint8Array): Uint8Array {
  if (data.length >= WORD_VIEW_MIN_BYTES) attach(data);
  try {
    hashInto(-1, data, 0, data.length, D, 0);
  } finally {
    detach();
  }
  return digestWordsToBytes(D, 0);
}

/**
 * Merkle leaf hash H(0x00 ‖ src[offset .. offset+length)), written as 8 little-endian
 * u32 words into out[outOffset .. outOffset+8). Handles any length (multi-block when
 * length+1 > 128).
 */
export function hashLeafInto(
  src: Uint8Array,
  offset: number,
  length: number,
  out: Uint32Array,
  outOffset: number,
): void {
  checkRange(src, offset, length);
  if (length >= WORD_VIEW_MIN_BYTES) attach(src);
  try {
    hashInto(LEAF_PREFIX, src, offset, length, out, outOffset);
  } finally {
    detach();
  }
}

/**
 * Merkle inner node H(0x01 ‖ left ‖ right) where left = words[leftOffset .. +8),
 * right = words[rightOffset .. +8) (each digest as 8 LE u32 words; a digest may be
 * all zero words = the Walrus "empty node"), written to out[outOffset .. +8).
 * `out` may overlap the inputs.
 */
export function hashInnerInto(
  words: Uint32Array,
  leftOffset: number,
  rightOffset: number,
  out: Uint32Array,
  outOffset: number,
): void {
  innerNode(words, leftOffset, words, rightOffset, out, outOffset);
}

/** Same as {@link hashInnerInto} but the left and right digests come from different arrays. */
export function hashInnerPairInto(
  left: Uint32Array,
  leftOffset: number,
  right: Uint32Array,
  rightOffset: number,
  out: Uint32Array,
  outOffset: number,
): void {
  innerNode(left, leftOffset, right, rightOffset, out, outOffset);
}

/**
 * Batch: leaf hashes of `count` consecutive symbols of `symbolSize` bytes starting
 * at src[offset], digest i to out[outOffset + 8*i].
 */
export function hashLeavesInto(
  src: Uint8Array,
  offset: number,
  symbolSize: number,
  count: number,
  out: Uint32Array,
  outOffset: number,
): void {
  checkRange(src, offset, symbolSize * count);
  if (symbolSize >= 16 && count >= 4) attach(src);
  try {
    for (let i = 0; i < count; i++) {
      hashInto(LEAF_PREFIX, src, offset + i * symbolSize, symbolSize, out, outOffset + 8 * i);
    }
  } finally {
    detach();
  }
}

/** Convert 8 LE u32 digest words to 32 bytes (into `out` at `outOffset`, or a new array). */
export function digestWordsToBytes(
  words: Uint32Array,
  offset: number,
  out: Uint8Array = new Uint8Array(DIGEST_BYTES),
  outOffset = 0,
): Uint8Array {
  for (let i = 0; i < 8; i++) {
    const w = words[offset + i]!;
    const p = outOffset + 4 * i;
    out[p] = w;
    out[p + 1] = w >>> 8;
    out[p + 2] = w >>> 16;
    out[p + 3] = w >>> 24;
  }
  return out;
}

/** Convert 32 digest bytes at bytes[offset] to 8 LE u32 words at out[outOffset]. */
export function digestBytesToWords(bytes: Uint8Array, offset: number, out: Uint32Array, outOffset: number): void {
  for (let i = 0; i < 8; i++) {
    const p = offset + 4 * i;
    out[outOffset + i] = (bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24)) >>> 0;
  }
}
