/**
 * The shared coin of the lightweight storage challenge and the PRF it seeds: which k of a node's m
 * blobs the coin picks (paper §5, lightweight variant; the implementation has no challenge).
 *
 * The coin is 32 bytes, the digest of the threshold signature (reconstruction threshold 2f + 1) that
 * produces it; in the models it is the environment's choice, named by a seed. The PRF is BLAKE2b-256
 * keyed by prefix: every input starts with a fixed tag and the coin, then a block counter and the
 * node's name with its length. BLAKE2b's finalisation flag rules out length extension, which is what
 * makes a secret prefix a sound key for it; the tag's first byte is neither Merkle prefix (0x00 leaf,
 * 0x01 inner), so no PRF input is a Merkle input. Each digest gives eight little-endian u32 words; a
 * uniform integer below b is a word below 2^32 − (2^32 mod b), reduced mod b (others are skipped, so
 * there is no modulo bias). The picks are a partial Fisher–Yates shuffle of 0..m−1 driven by these
 * integers, so they are distinct, and the first k picks do not depend on k: raising k under the same
 * coin keeps the blobs already picked.
 *
 * The analysis of what the picks catch is in analysis/lightweight-challenge.ts; the machines that
 * run the challenge on them are machines/challenge-chain.ts and the storage node's challenge
 * region, machines/node/challenge.ts.
 */

import { DIGEST_BYTES, blake2b256 } from "./hash/blake2b.js";
import { InvalidParametersError } from "./errors.js";
import type { ActorName } from "./messages.js";

/** The coin of one challenge: 32 bytes, the digest of the threshold signature that produces it. */
export type Coin = Uint8Array;

/** Bytes in a {@link Coin}. */
export const COIN_BYTES = 32;

/** The most blobs a selection supports: a uniform draw below m is cut from one u32 word. */
export const MAX_BLOBS = 2 ** 32;

const TEXT = new TextEncoder();
/** Domain tag of the PRF; its first byte, 'w', is neither Merkle prefix. */
const PRF_TAG = TEXT.encode("walrus-spec/lightweight-challenge/v1");
/** Domain tag of {@link coinFromSeed}, distinct from {@link PRF_TAG} so deriving a coin never hashes a PRF input. */
const COIN_TAG = TEXT.encode("walrus-spec/lightweight-coin/v1");
const WORDS_PER_DIGEST = DIGEST_BYTES / 4;
const COUNTER_OFFSET = PRF_TAG.length + COIN_BYTES;

function checkedCoin(coin: Coin): Coin {
  if (!(coin instanceof Uint8Array) || coin.length !== COIN_BYTES) {
    throw new InvalidParametersError(`a coin must be ${COIN_BYTES} bytes, got ${shown(coin)}`);
  }
  return coin;
}

/** The node name as the PRF hashes it (UTF-8); a name that is not a string is an {@link InvalidParametersError}. */
export function checkedNode(node: ActorName): Uint8Array {
  if (typeof node !== "string") throw new InvalidParametersError(`a node name must be a string, got ${shown(node)}`);
  return TEXT.encode(node);
}

function shown(value: unknown): string {
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return typeof value === "number" ? String(value) : typeof value;
}

/**
 * A deterministic coin for models and measurements, BLAKE2b-256 of a tag and the seed as a u64: in a
 * model the coin is the environment's choice, and a seed names that choice.
 */
export function coinFromSeed(seed: number): Coin {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new InvalidParametersError(`a coin seed must be a non-negative safe integer, got ${seed}`);
  }
  const input = new Uint8Array(COIN_TAG.length + 8);
  input.set(COIN_TAG);
  const view = new DataView(input.buffer);
  view.setUint32(COIN_TAG.length, seed >>> 0, true);
  view.setUint32(COIN_TAG.length + 4, Math.floor(seed / 2 ** 32), true);
  return blake2b256(input);
}

/**
 * The PRF keyed by a coin, for one node, as a stream of u32 words: digest j is
 * BLAKE2b-256(tag ‖ coin ‖ u32 j ‖ u32 |name| ‖ name), read as eight little-endian words.
 */
class PrfStream {
  private readonly input: Uint8Array;
  private readonly view: DataView;
  private digest: Uint8Array = new Uint8Array(0);
  private block = 0;
  private word = WORDS_PER_DIGEST;

  constructor(coin: Coin, name: Uint8Array) {
    this.input = new Uint8Array(COUNTER_OFFSET + 8 + name.length);
    this.input.set(PRF_TAG);
    this.input.set(coin, PRF_TAG.length);
    this.view = new DataView(this.input.buffer);
    this.view.setUint32(COUNTER_OFFSET + 4, name.length, true);
    this.input.set(name, COUNTER_OFFSET + 8);
  }

  nextWord(): number {
    if (this.word === WORDS_PER_DIGEST) {
      // 2^32 blocks are 2^35 words, far beyond the ≤ 2^33 expected for the largest selection.
      if (this.block === 2 ** 32) throw new Error("lightweight challenge: PRF block counter exhausted");
      this.view.setUint32(COUNTER_OFFSET, this.block++, true);
      this.digest = blake2b256(this.input);
      this.word = 0;
    }
    const d = this.digest;
    const o = 4 * this.word++;
    return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
  }

  /** A uniform integer in 0..bound−1 (bound ≤ 2^32), by rejecting the top 2^32 mod bound words. */
  below(bound: number): number {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const word = this.nextWord();
      if (word < limit) return word % bound;
    }
  }
}

/** m itself, checked to be an integer in 1..2^32 ({@link InvalidParametersError} otherwise). */
export function checkedBlobs(blobs: number): number {
  if (!Number.isSafeInteger(blobs) || blobs < 1 || blobs > MAX_BLOBS) {
    throw new InvalidParametersError(`the number of blobs m must be an integer in 1..2^32, got ${blobs}`);
  }
  return blobs;
}

/** A count of blobs, checked to be an integer in 0..m ({@link InvalidParametersError} otherwise). */
export function checkedCount(name: string, value: number, blobs: number): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > blobs) {
    throw new InvalidParametersError(`${name} must be an integer in 0..m = 0..${blobs}, got ${value}`);
  }
  return value;
}

/**
 * The node's blobs in the order the coin picks them: a partial Fisher–Yates shuffle of 0..m−1, kept
 * sparse (only displaced positions are stored) so that picking k costs O(k) whatever m.
 */
export function* pickOrder(coin: Coin, name: Uint8Array, blobs: number): Generator<number, void, undefined> {
  const stream = new PrfStream(checkedCoin(coin), name);
  const displaced = new Map<number, number>();
  for (let i = 0; i < blobs; i++) {
    const j = i + stream.below(blobs - i);
    const atI = displaced.get(i) ?? i;
    const picked = displaced.get(j) ?? j;
    displaced.set(j, atI);
    // Position i is never read again; dropping it keeps the map at the displaced positions only.
    displaced.delete(i);
    yield picked;
  }
}

/**
 * The k blobs the coin picks for `node` among its m, in ascending order: distinct, a function of
 * (coin, node, m, k) only, and nested in k (the picks for k are among those for any k' ≥ k).
 */
export function selectChallengedBlobs(coin: Coin, node: ActorName, blobs: number, challenged: number): number[] {
  checkedBlobs(blobs);
  checkedCount("the number of challenged blobs k", challenged, blobs);
  const name = checkedNode(node);
  const picks: number[] = [];
  if (challenged === 0) return picks;
  for (const blob of pickOrder(coin, name, blobs)) {
    picks.push(blob);
    if (picks.length === challenged) break;
  }
  return picks.sort((a, b) => a - b);
}
