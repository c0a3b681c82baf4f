/**
 * Slivers, axes and the pair/sliver index conventions of RS2 (walrus-core `encoding/slivers.rs`,
 * `lib.rs::SliverPairIndex::to_sliver_index`).
 *
 * The message matrix has n − 2f rows and n − f columns of symbols, expanded to n × n:
 * - primary sliver i is row i (n − f symbols); secondary sliver j is column j (n − 2f symbols);
 * - sliver pair p holds primary sliver p and secondary sliver n − 1 − p, so a node that stores pair
 *   p never holds a row and a column that both start in the systematic block's corner.
 */

import { InvalidSliverError } from "../errors.js";
import type { EncodingParams } from "../params.js";
import { DIGEST_WORDS, equalBytes } from "../commitments/merkle.js";
import { type VerifiedMetadata, sliverCommitment } from "../commitments/metadata.js";
import { DIGEST_BYTES, digestWordsToBytes } from "../hash/blake2b.js";
import { hashArena } from "../hash/blake2b-wasm.js";
import { rsEncodeInto } from "./reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "./symbol-layout.js";

/** The two axes of the two-dimensional encoding. */
export type Axis = "primary" | "secondary";

/** The other axis. */
export function orthogonal(axis: Axis): Axis {
  return axis === "primary" ? "secondary" : "primary";
}

/** A sliver as Walrus stores and sends it (`SliverData<A>`): its symbols, symbol size and sliver index. */
export interface Sliver {
  readonly axis: Axis;
  /** Sliver index on its axis (not the pair index). */
  readonly index: number;
  readonly symbolSize: number;
  readonly data: Uint8Array;
}

/** The pair that holds sliver `sliverIndex` of `axis`. */
export function pairIndexOf(axis: Axis, sliverIndex: number, nShards: number): number {
  return axis === "primary" ? sliverIndex : nShards - 1 - sliverIndex;
}

/** The sliver of `axis` held by pair `pairIndex`. The map is its own inverse. */
export function sliverIndexOf(axis: Axis, pairIndex: number, nShards: number): number {
  return pairIndexOf(axis, pairIndex, nShards);
}

// --- expansion and commitment of one sliver ---

/**
 * The code a sliver of `axis` is a codeword of, as (k, m): a primary sliver (a row, n−f symbols)
 * extends with the secondary code to n symbols; a secondary sliver (a column, n−2f symbols) with the
 * primary code. Recovering a sliver of `axis` decodes with the same code.
 */
export function sliverCode(params: EncodingParams, axis: Axis): { k: number; m: number } {
  const k = axis === "primary" ? params.secondarySourceSymbols : params.primarySourceSymbols;
  return { k, m: params.nShards - k };
}

/** Symbols in a sliver of `axis`. */
export function sliverSymbolCount(params: EncodingParams, axis: Axis): number {
  return sliverCode(params, axis).k;
}

/**
 * The sliver extended to all n symbols of its row or column of the expanded matrix: n·S bytes,
 * the first k of which are the sliver itself.
 */
export function expandSliver(params: EncodingParams, axis: Axis, symbolSize: number, data: Uint8Array): Uint8Array {
  const { k, m } = sliverCode(params, axis);
  const e = symbolSize / 2;
  const elements = new Uint16Array(params.nShards * e);
  symbolsToElements(data, 0, symbolSize, k, elements, 0);
  rsEncodeInto(k, m, elements, 0, e, elements, k * e, e, 0, e);
  const expanded = new Uint8Array(params.nShards * symbolSize);
  expanded.set(data.subarray(0, k * symbolSize));
  elementsToSymbols(elements, k * e, symbolSize, m, expanded, k * symbolSize);
  return expanded;
}

/**
 * Merkle root over the n symbols of an expanded sliver: what the metadata commits to. Hashed in
 * the thread's hash arena, as the encoder hashes (a reader verifies hundreds of slivers).
 */
export function expandedSliverRoot(expanded: Uint8Array, symbolSize: number, nShards: number): Uint8Array {
  const arena = hashArena();
  const [symbols, leaves] = arena.layout([nShards * symbolSize, nShards * DIGEST_BYTES]);
  arena.bytes.set(expanded.subarray(0, nShards * symbolSize), symbols);
  arena.leaves(symbols, symbolSize, nShards, leaves);
  const root = new Uint32Array(DIGEST_WORDS);
  arena.rootInto(leaves, DIGEST_BYTES, nShards, leaves, root, 0);
  return digestWordsToBytes(root, 0);
}

/** The commitment a sliver's contents imply (whether or not the metadata agrees). */
export function sliverRoot(params: EncodingParams, sliver: Sliver): Uint8Array {
  return expandedSliverRoot(
    expandSliver(params, sliver.axis, sliver.symbolSize, sliver.data),
    sliver.symbolSize,
    params.nShards,
  );
}

/**
 * Checks a sliver against verified metadata (walrus-core `SliverData::verify`): index in range, the
 * metadata's symbol size, the exact length, and the Merkle root of its expansion equal to the
 * commitment. Throws {@link InvalidSliverError} naming the first failed check.
 */
export function verifySliver(meta: VerifiedMetadata, sliver: Sliver): void {
  const { params, symbolSize } = meta;
  const label = `${sliver.axis} sliver ${sliver.index}`;
  if (!Number.isInteger(sliver.index) || sliver.index < 0 || sliver.index >= params.nShards) {
    throw new InvalidSliverError(`${label}: index out of range 0..${params.nShards - 1}`);
  }
  if (sliver.symbolSize !== symbolSize) {
    throw new InvalidSliverError(`${label}: symbol size ${sliver.symbolSize}, metadata implies ${symbolSize}`);
  }
  const expectedLength = sliverSymbolCount(params, sliver.axis) * symbolSize;
  if (sliver.data.length !== expectedLength) {
    throw new InvalidSliverError(`${label}: ${sliver.data.length} bytes, expected ${expectedLength}`);
  }
  if (!equalBytes(sliverRoot(params, sliver), sliverCommitment(meta.metadata, sliver.axis, sliver.index))) {
    throw new InvalidSliverError(`${label}: Merkle root does not match the metadata`);
  }
}
