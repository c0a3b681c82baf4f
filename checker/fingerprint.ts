/**
 * 64-bit fingerprints of states given as sequences of 32-bit integers: two independent 32-bit
 * multiply-rotate hashes (Murmur3-style mixing with different seeds), each finalised with an
 * avalanche step. Fast in JavaScript because it stays in int32 arithmetic.
 */

import type { Fingerprint } from "./model.js";

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mix(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Fingerprint of `words[0..length)` into `out`. */
export function fingerprintWords(words: ArrayLike<number>, length: number, out: Fingerprint): void {
  let a = 0x9747b28c;
  let b = 0x5bd1e995;
  for (let i = 0; i < length; i++) {
    const w = words[i] | 0;
    a = mix(a, w);
    b = mix(b, w ^ 0x2545f491);
  }
  out.hi = finish(a, length);
  out.lo = finish(b ^ a, length);
}

/**
 * The probability that two of `states` distinct states share a 64-bit fingerprint, assuming
 * uniform hashes: about n² / 2^65 (the estimate TLC prints).
 */
export function collisionProbability(states: number): number {
  return Math.min(1, (states * states) / 2 ** 65);
}

const encoder = new TextEncoder();
let textBytes = new Uint8Array(1024);

/**
 * Fingerprint of a text (its UTF-8 bytes) into `out`: the key of a local state or message, for the
 * ids the threads of a parallel search share (actors/shared-ids.ts).
 */
export function fingerprintText(text: string, out: Fingerprint): void {
  // UTF-8 takes at most 3 bytes per UTF-16 code unit.
  if (textBytes.length < 3 * text.length) textBytes = new Uint8Array(6 * text.length);
  const { written } = encoder.encodeInto(text, textBytes);
  fingerprintWords(textBytes, written, out);
}
