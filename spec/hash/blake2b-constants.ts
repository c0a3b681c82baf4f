/**
 * The constants of BLAKE2b (RFC 7693): the initialisation vector, the message schedule, the order
 * of the mixing steps of a round, and the parameter block of an unkeyed 32-byte digest. Shared by
 * the generator of the TypeScript compression (scripts/gen-blake2b.ts) and the WebAssembly kernel
 * (blake2b-wasm.ts), so that both are written from the same table.
 */

/** The initialisation vector (RFC 7693, section 2.6), as [high, low] u32 halves of each 64-bit word. */
export const IV: ReadonlyArray<readonly [number, number]> = [
  [0x6a09e667, 0xf3bcc908],
  [0xbb67ae85, 0x84caa73b],
  [0x3c6ef372, 0xfe94f82b],
  [0xa54ff53a, 0x5f1d36f1],
  [0x510e527f, 0xade682d1],
  [0x9b05688c, 0x2b3e6c1f],
  [0x1f83d9ab, 0xfb41bd6b],
  [0x5be0cd19, 0x137e2179],
];

/** Message schedule (RFC 7693, section 2.7); rounds 10 and 11 reuse rows 0 and 1. */
export const SIGMA: ReadonlyArray<ReadonlyArray<number>> = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];

/** Rounds of BLAKE2b. */
export const ROUNDS = 12;

/** The eight G applications of a round (RFC 7693, section 3.2): four columns, then four diagonals. */
export const STEPS: ReadonlyArray<readonly [number, number, number, number]> = [
  [0, 4, 8, 12],
  [1, 5, 9, 13],
  [2, 6, 10, 14],
  [3, 7, 11, 15],
  [0, 5, 10, 15],
  [1, 6, 11, 12],
  [2, 7, 8, 13],
  [3, 4, 9, 14],
];

/** Low 32 bits of the parameter block word 0 for an unkeyed 32-byte digest: digest length 32, key length 0, fanout 1, depth 1. */
export const PARAM0_LOW = 0x01010020;
