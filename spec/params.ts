/**
 * Encoding parameters of RS2 and the Byzantine quorum predicates.
 *
 * Follows walrus-core `encoding/config.rs` (`source_symbols_for_n_shards`, `max_symbol_size`),
 * `encoding/utils.rs` (`compute_symbol_size`) and `bft.rs` (`max_n_faulty`, `min_n_correct`,
 * `is_quorum`, `is_above_validity`). Quorums count shards, not nodes: a node that holds several
 * shards contributes its shard count as weight.
 *
 * | quantity                 | value       | role                                                        |
 * |--------------------------|-------------|-------------------------------------------------------------|
 * | f                        | ⌊(n−1)/3⌋   | shards the protocol tolerates being Byzantine               |
 * | primary source symbols   | n − 2f      | rows of the message matrix; primary slivers to decode       |
 * | secondary source symbols | n − f       | columns; secondary slivers to decode                        |
 */

import { InvalidParametersError, DataTooLargeError } from "./errors.js";
import { useHighRate } from "./codec/reed-solomon.js";

/** The Walrus encoding type byte of RS2 (`EncodingType::RS2`); 0 was the retired RaptorQ encoding. */
export const ENCODING_TYPE_RS2 = 1;
/** Largest symbol: u16::MAX rounded down to the required alignment of 2. */
export const MAX_SYMBOL_SIZE = 65534;
/** reed-solomon-simd works on pairs of bytes, so RS2 symbols have even size. */
export const SYMBOL_ALIGNMENT = 2;
/** The smallest committee: below 4 shards f = 0 and there are no recovery symbols at all. */
export const MIN_N_SHARDS = 4;

/** The parameters fixed by the number of shards. */
export interface EncodingParams {
  /** Number of shards n (the committee size counted in shards). */
  readonly nShards: number;
  /** Shards that may be Byzantine: f = ⌊(n−1)/3⌋. */
  readonly maxFaulty: number;
  /** n − 2f: rows of the message matrix, symbols per secondary sliver. */
  readonly primarySourceSymbols: number;
  /** n − f: columns of the message matrix, symbols per primary sliver. */
  readonly secondarySourceSymbols: number;
}

/** f = ⌊(n−1)/3⌋ (walrus-core `bft::max_n_faulty`). */
export function maxFaulty(nShards: number): number {
  return Math.floor((nShards - 1) / 3);
}

/** n − f (walrus-core `bft::min_n_correct`). */
export function minCorrect(nShards: number): number {
  return nShards - maxFaulty(nShards);
}

/**
 * The largest n for which both Reed-Solomon codes of RS2 exist in reed-solomon-simd
 * (its limit `min(P(k), P(m)) + max(k, m) ≤ 65536`, first broken by the primary code at n = 49156).
 */
export const MAX_N_SHARDS = 49155;

/** Validates n and returns the RS2 parameters for it. */
export function encodingParams(nShards: number): EncodingParams {
  if (!Number.isSafeInteger(nShards) || nShards < MIN_N_SHARDS || nShards > MAX_N_SHARDS) {
    throw new InvalidParametersError(
      `number of shards must be an integer in ${MIN_N_SHARDS}..${MAX_N_SHARDS}, got ${nShards}`,
    );
  }
  const f = maxFaulty(nShards);
  return {
    nShards,
    maxFaulty: f,
    primarySourceSymbols: nShards - 2 * f,
    secondarySourceSymbols: nShards - f,
  };
}

/** Whether reed-solomon-simd accepts both RS2 codes for n (used to pin {@link MAX_N_SHARDS} in tests). */
export function reedSolomonAcceptsShards(nShards: number): boolean {
  if (nShards < MIN_N_SHARDS) return false;
  const f = maxFaulty(nShards);
  const kp = nShards - 2 * f;
  try {
    useHighRate(kp, nShards - kp); // the primary (column) code
    useHighRate(nShards - f, f); // the secondary (row) code
    return true;
  } catch {
    return false;
  }
}

/** Source symbols of the whole blob: the kp × ks systematic block. */
export function sourceSymbolsPerBlob(params: EncodingParams): number {
  return params.primarySourceSymbols * params.secondarySourceSymbols;
}

/** Largest unencoded blob for these parameters: kp · ks · 65534 bytes. */
export function maxBlobSize(params: EncodingParams): number {
  return sourceSymbolsPerBlob(params) * MAX_SYMBOL_SIZE;
}

/**
 * Symbol size for a blob of `unencodedLength` bytes: ⌈max(len, 1) / (kp·ks)⌉ rounded up to even
 * (walrus-core `compute_symbol_size`). Throws {@link DataTooLargeError} above 65534.
 */
export function symbolSizeFor(params: EncodingParams, unencodedLength: number): number {
  if (!Number.isSafeInteger(unencodedLength) || unencodedLength < 0) {
    throw new InvalidParametersError(`blob length must be a non-negative integer, got ${unencodedLength}`);
  }
  const perSymbol = Math.ceil(Math.max(unencodedLength, 1) / sourceSymbolsPerBlob(params));
  const size = perSymbol + (perSymbol % SYMBOL_ALIGNMENT);
  if (size > MAX_SYMBOL_SIZE) {
    throw new DataTooLargeError(unencodedLength, maxBlobSize(params), params.nShards);
  }
  return size;
}

/** Bytes in a primary sliver: ks symbols. */
export function primarySliverSize(params: EncodingParams, symbolSize: number): number {
  return params.secondarySourceSymbols * symbolSize;
}

/** Bytes in a secondary sliver: kp symbols. */
export function secondarySliverSize(params: EncodingParams, symbolSize: number): number {
  return params.primarySourceSymbols * symbolSize;
}

/**
 * The encoded length that the chain charges storage for: n · ((kp + ks)·S + n·64 + 32)
 * (`redstuff.move::encoded_blob_length`), i.e. both slivers plus a copy of the metadata per shard.
 */
export function encodedBlobLength(params: EncodingParams, unencodedLength: number): number {
  const s = symbolSizeFor(params, unencodedLength);
  const n = params.nShards;
  return n * ((params.primarySourceSymbols + params.secondarySourceSymbols) * s + n * 64 + 32);
}

// --- quorum predicates (by shard weight) ---

/**
 * Shards taken off both thresholds, and how many times they were read: rule coverage
 * (checker/mutation.ts) lowers them by one inside a single guard, to ask whether some property
 * notices a quorum one shard too small, and counts reads to learn which guards compare a weight
 * with a threshold. 0 and unread outside it.
 */
const thresholds = { lowered: 0, reads: 0 };

/** Runs `f` with both thresholds one shard lower (a rule-coverage mutant's guard). */
export function withThresholdsLowered<T>(f: () => T): T {
  thresholds.lowered++;
  try {
    return f();
  } finally {
    thresholds.lowered--;
  }
}

/** How many times a threshold has been compared with so far (to see whether a guard reads one). */
export function thresholdReads(): number {
  return thresholds.reads;
}

/** At least f+1 shards: at least one of them is honest (walrus-core `bft::is_above_validity`, the paper's f + 1). */
export function isAboveValidity(weight: number, nShards: number): boolean {
  thresholds.reads++;
  return weight > maxFaulty(nShards) - thresholds.lowered;
}

/**
 * 3w ≥ n + 1: the contract's test that a set of shards includes a correct one
 * (`bls_aggregate.move`, `includes_one_correct_node`, which `verify_one_correct_node_in_epoch`
 * applies to invalidation attestations). It equals w ≥ f + 1 unless 3 divides n, where it asks one
 * shard more: n = 9 needs 4 shards where f + 1 is 3, n = 12 needs 5 where f + 1 is 4. Both are
 * sound (f + 1 shards already include a correct one); the contract's is the one the chain applies.
 */
export function includesOneCorrectNode(weight: number, nShards: number): boolean {
  thresholds.reads++;
  return 3 * (weight + thresholds.lowered) >= nShards + 1;
}

/**
 * Which rule decides that attestations include a correct node: `contract`, the Move contract's
 * 3w ≥ n + 1 ({@link includesOneCorrectNode}); `paper`, the paper's f + 1 ({@link isAboveValidity}).
 */
export type ValidityRule = "contract" | "paper";

/** Whether `weight` shards of `nShards` include a correct one under `rule`. */
export function meetsValidity(rule: ValidityRule, weight: number, nShards: number): boolean {
  return rule === "contract" ? includesOneCorrectNode(weight, nShards) : isAboveValidity(weight, nShards);
}

/** At least n−f shards (2f+1 when n = 3f+1): any two such sets share an honest shard (`bft::is_quorum`). */
export function isQuorum(weight: number, nShards: number): boolean {
  thresholds.reads++;
  return weight >= minCorrect(nShards) - thresholds.lowered;
}
