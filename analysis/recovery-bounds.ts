/**
 * Recovery bounds: what a node that lost its sliver pair downloads to rebuild it, counted in the
 * bytes of the recovery symbols it accepts, against a closed form and against the blob's share per
 * node |B|/n.
 *
 * The claim. Paper §4 "sliver healing" (walrus-protocol.md §4.1): a node first rebuilds its
 * secondary sliver from f+1 symbols cut from other nodes' primary slivers, then its primary sliver
 * from 2f+1 symbols cut from secondary slivers; a symbol is O(|B|/n²) and comes with a Merkle
 * opening, so one node pays O(|B|/n) and all nodes together O(|B|). The implementation needs
 * n−2f and n−f symbols (walrus-core `encoding/config.rs::n_symbols_for_recovery`), gathers them in
 * `RecoverSliver` (walrus-service `node/committee/request_futures.rs`), and a serving node answers
 * `/v1/blobs/{id}/recoverySymbols` with BCS `Vec<GeneralRecoverySymbol>`, each symbol carrying the
 * proof from its source sliver's axis (`routes::list_recovery_symbols`; walrus-codec.md §7–8).
 *
 * The model. One shard per node, so a request names one supplier pair and its answer holds one
 * symbol. A recovering node asks suppliers in the order it is given, keeps an answer only if it
 * parses, is the symbol asked for and its proof verifies against the metadata, and stops once it
 * holds the threshold; only kept answers count as downloaded. Metadata, which a node may also have
 * to fetch, is outside the count: `BlobMetadataWithId` is 42 + uleb(n) + 66·n bytes whatever |B|.
 * Only other pairs supply symbols: the node's own rebuilt secondary sliver also holds one symbol of
 * its primary sliver, which the paper counts among the 2f+1 but which is not downloaded.
 *
 * The closed form, derived from the wire format and the tree shape (`MerkleTree.proof`):
 *
 *     response(n, S, t) = 6 + uleb(S) + S + proof(n, t)
 *         6 = 1 (vector length 1) + 1 (axis variant) + 2 (u16 source index) + 2 (u16 target index)
 *     proof(n, t)       = 1 + L + 32·digests(n, t),  L = ⌈log2 n⌉
 *         a path always has L nodes: `Node::Digest` is 33 bytes, the padding `Node::Empty` 1 byte
 *     digests(n, t)     = L − #{ℓ < L : t≫ℓ = (n−1)≫ℓ and bit ℓ of n−1 is 0}
 *         the sibling at level ℓ is padding exactly when t's ancestor is the last, unpaired node
 *     pair p            = (n−2f)·response(n, S, n−1−p) + (n−f)·response(n, S, p)
 *
 * All symbols of one recovery open the same leaf (the target index) in trees of n leaves, so they
 * all have the same size. Bounds follow from S < |B|/(kp·ks) + 2 (kp = n−2f, ks = n−f) and
 * digests ≤ L: see {@link recoveryBounds}.
 */

import { pathLength } from "../spec/commitments/merkle.js";
import type { VerifiedMetadata } from "../spec/commitments/metadata.js";
import type { EncodedBlob } from "../spec/codec/encode.js";
import {
  type RecoveryResult,
  type RecoverySymbol,
  RecoverySymbolSource,
  recoverSliver,
  recoveryThreshold,
  verifyRecoverySymbol,
} from "../spec/codec/recovery.js";
import { type Axis, type Sliver, orthogonal, sliverIndexOf } from "../spec/codec/slivers.js";
import { decodeRecoverySymbols, encodeRecoverySymbols } from "../spec/bcs.js";
import { InvalidParametersError, InvalidSymbolError, WalrusSpecError } from "../spec/errors.js";
import { type EncodingParams, encodingParams, symbolSizeFor } from "../spec/params.js";

// --- the closed form ---

/** Bytes in one response besides the symbol data, its length prefix and the proof. */
export const RESPONSE_FIXED_BYTES = 6;
/** A `Node::Digest` on the wire: variant byte and 32-byte digest. */
export const DIGEST_NODE_BYTES = 33;
/** A `Node::Empty` on the wire: the variant byte alone. */
export const EMPTY_NODE_BYTES = 1;
/** The largest uleb128 prefix of a symbol: 65534 needs three 7-bit groups. */
export const MAX_SYMBOL_LENGTH_PREFIX = 3;
/**
 * sup over n of n/(n−2f) + n/(n−f): with n = 3f+r (r = 1, 2, 3) the sum is
 * 3 − 2r/(f+r) + 3/2 − r/(2(2f+r)) < 9/2, and tends to 9/2 as n grows.
 */
export const MAX_SHARE_COEFFICIENT = 9 / 2;

function checkedIndex(name: string, index: number, nShards: number): number {
  if (!Number.isInteger(index) || index < 0 || index >= nShards) {
    throw new InvalidParametersError(`${name} must be an integer in 0..${nShards - 1}, got ${index}`);
  }
  return index;
}

/** Bytes of the uleb128 encoding of a non-negative integer: one per started group of 7 bits. */
export function ulebLength(value: number): number {
  let bytes = 1;
  while (value >= 128) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

/**
 * Levels at which the proof of leaf `leafIndex` in a tree of n leaves has a padding sibling
 * (walrus-core `merkle.rs`: an odd level is completed with `Node::Empty`). At level ℓ the ancestor
 * is t≫ℓ and the level's last node is (n−1)≫ℓ; the sibling is padding iff the ancestor is that last
 * node and it is a left child.
 */
export function paddingSiblings(nShards: number, leafIndex: number): number {
  encodingParams(nShards);
  checkedIndex("leaf index", leafIndex, nShards);
  const last = nShards - 1;
  let count = 0;
  for (let level = 0; level < pathLength(nShards); level++) {
    const ancestor = Math.floor(leafIndex / 2 ** level);
    const lastAtLevel = Math.floor(last / 2 ** level);
    if (ancestor === lastAtLevel && lastAtLevel % 2 === 0) count++;
  }
  return count;
}

/** BCS bytes of the Merkle proof of leaf `leafIndex` among n: length prefix, digests, padding nodes. */
export function proofWireBytes(nShards: number, leafIndex: number): number {
  const levels = pathLength(nShards);
  const padding = paddingSiblings(nShards, leafIndex);
  return ulebLength(levels) + (levels - padding) * DIGEST_NODE_BYTES + padding * EMPTY_NODE_BYTES;
}

/** BCS bytes of a one-symbol `/recoverySymbols` response for target index `targetIndex`. */
export function responseWireBytes(nShards: number, symbolSize: number, targetIndex: number): number {
  return RESPONSE_FIXED_BYTES + ulebLength(symbolSize) + symbolSize + proofWireBytes(nShards, targetIndex);
}

/** The closed form of what recovering pair p downloads, by phase. */
export interface PairRecoveryBytes {
  readonly symbolSize: number;
  /** n−2f symbols for secondary sliver n−1−p. */
  readonly secondary: number;
  /** n−f symbols for primary sliver p. */
  readonly primary: number;
  readonly total: number;
}

/**
 * Claim 1 (exact count; paper §4 "sliver healing", walrus-core `n_symbols_for_recovery`): a node
 * recovering pair p downloads exactly (n−2f)·response(n, S, n−1−p) + (n−f)·response(n, S, p) bytes.
 */
export function pairRecoveryBytes(nShards: number, blobLength: number, pairIndex: number): PairRecoveryBytes {
  const params = encodingParams(nShards);
  checkedIndex("pair index", pairIndex, nShards);
  const symbolSize = symbolSizeFor(params, blobLength);
  const secondaryTarget = sliverIndexOf("secondary", pairIndex, nShards);
  const secondary = recoveryThreshold(params, "secondary") * responseWireBytes(nShards, symbolSize, secondaryTarget);
  const primary = recoveryThreshold(params, "primary") * responseWireBytes(nShards, symbolSize, pairIndex);
  return { symbolSize, secondary, primary, total: secondary + primary };
}

/** The bounds of claims 2 and 3 for n and |B|. */
export interface RecoveryBounds {
  /** c_n = n/(n−2f) + n/(n−f), below {@link MAX_SHARE_COEFFICIENT}: symbol data per |B|/n. */
  readonly shareCoefficient: number;
  /** (2n−3f)·(9 + uleb(S) + 33·L): framing, proof and rounding of S per recovering node. */
  readonly perNodeOverhead: number;
  /** One node: c_n·|B|/n + perNodeOverhead. */
  readonly perNode: number;
  /** n·(2n−3f)·(12 + 33·L): the overhead of n recovering nodes, whatever |B| (uleb(S) ≤ 3). */
  readonly totalOverhead: number;
  /** All recovering nodes together, at most n: (9/2)·|B| + totalOverhead. */
  readonly total: number;
}

/**
 * Claims 2 and 3 (paper §4: O(|B|/n) per node, O(|B|) in total; the "almost independent of n" is
 * the proofs). Each of the 2n−3f symbols is at most S + uleb(S) + 7 + 33·L bytes (every sibling a
 * digest), and S < |B|/(kp·ks) + 2 (the ceiling adds less than 1, rounding to even at most 1), so
 * one node downloads less than (kp+ks)·|B|/(kp·ks) + (kp+ks)·(9 + uleb(S) + 33·L) = c_n·|B|/n +
 * perNodeOverhead. Its ratio to |B|/n is below c_n + n·perNodeOverhead/|B|: for blobs whose size
 * grows with the symbol count (S fixed) that is c_n·(1 + O(log n)/S). At most n nodes recover,
 * so the total stays below c_n·|B| + n·perNodeOverhead ≤ (9/2)·|B| + totalOverhead.
 */
export function recoveryBounds(nShards: number, blobLength: number): RecoveryBounds {
  const params = encodingParams(nShards);
  const symbolSize = symbolSizeFor(params, blobLength);
  const kp = params.primarySourceSymbols;
  const ks = params.secondarySourceSymbols;
  const perProof = DIGEST_NODE_BYTES * pathLength(nShards);
  // 9 = the 7 fixed bytes of a response (6 + the path-length prefix) + the 2 bytes S may exceed |B|/(kp·ks) by.
  const perNodeOverhead = (kp + ks) * (9 + ulebLength(symbolSize) + perProof);
  const totalOverhead = nShards * (kp + ks) * (9 + MAX_SYMBOL_LENGTH_PREFIX + perProof);
  const shareCoefficient = nShards / kp + nShards / ks;
  return {
    shareCoefficient,
    perNodeOverhead,
    perNode: (shareCoefficient * blobLength) / nShards + perNodeOverhead,
    totalOverhead,
    total: MAX_SHARE_COEFFICIENT * blobLength + totalOverhead,
  };
}

/** Downloaded bytes over the blob's share per node, |B|/n (infinite for the empty blob). */
export function shareRatio(bytes: number, nShards: number, blobLength: number): number {
  return blobLength === 0 ? Number.POSITIVE_INFINITY : (bytes * nShards) / blobLength;
}

// --- measurement over the real codec ---

/** The slivers one pair holds; a missing one is what the pair must recover. */
export interface PairHoldings {
  readonly primary?: Sliver;
  readonly secondary?: Sliver;
}

/** A request for the symbol that supplier pair `supplier` cuts from its sliver of the other axis. */
export interface SymbolRequest {
  readonly target: Axis;
  readonly targetIndex: number;
  readonly supplier: number;
}

/** How a recovering node orders the pairs it may ask (it asks until it holds the threshold). */
export type SupplierOrder = (request: Omit<SymbolRequest, "supplier">, candidates: readonly number[]) => number[];

/** What the network does to a response on its way (identity for honest suppliers). */
export type ResponseChannel = (request: SymbolRequest, response: Uint8Array) => Uint8Array;

/** An answer that was downloaded and rejected, with the typed reason. */
export interface RejectedResponse {
  readonly supplier: number;
  readonly bytes: number;
  readonly error: WalrusSpecError;
}

/** What recovering one sliver downloaded and produced. */
export interface SliverRecoveryReport {
  readonly target: Axis;
  readonly targetIndex: number;
  /** Pairs whose answers were kept, in the order they were asked. */
  readonly suppliers: readonly number[];
  /** Bytes of the kept answers: the figure the bounds are about. */
  readonly bytes: number;
  readonly rejected: readonly RejectedResponse[];
  readonly result: RecoveryResult;
}

/** What recovering one pair downloaded, secondary sliver first. */
export interface PairRecoveryReport {
  readonly pair: number;
  readonly secondary: SliverRecoveryReport;
  readonly primary: SliverRecoveryReport;
  readonly bytes: number;
}

/** The holdings of an honestly encoded blob after the pairs in `lost` lost both slivers. */
export function holdingsAfterLoss(encoded: EncodedBlob, lost: readonly number[]): PairHoldings[] {
  const n = encoded.params.nShards;
  const gone = new Set(lost.map((pair) => checkedIndex("lost pair", pair, n)));
  return Array.from(
    { length: n },
    (_, pair): PairHoldings =>
      gone.has(pair)
        ? {}
        : {
            primary: encoded.primarySlivers[sliverIndexOf("primary", pair, n)],
            secondary: encoded.secondarySlivers[sliverIndexOf("secondary", pair, n)],
          },
  );
}

const sources = new WeakMap<Sliver, RecoverySymbolSource>();

/** The response an honest supplier sends: the symbol cut from its orthogonal sliver, if it has it. */
export function honestResponse(
  params: EncodingParams,
  holdings: readonly PairHoldings[],
  request: SymbolRequest,
): Uint8Array | undefined {
  const sliver = holdings[request.supplier]?.[orthogonal(request.target)];
  if (sliver === undefined) return undefined;
  let source = sources.get(sliver);
  if (source === undefined) {
    source = new RecoverySymbolSource(params, sliver);
    sources.set(sliver, source);
  }
  return encodeRecoverySymbols([source.symbolFor(request.targetIndex)]);
}

/**
 * Accepts a response only if it is one well-formed symbol, the one requested (axis, target and the
 * supplier's source sliver), with a proof that verifies against the metadata. Throws
 * {@link "spec/errors"!MalformedBcsError} or {@link InvalidSymbolError}.
 */
export function acceptResponse(meta: VerifiedMetadata, request: SymbolRequest, response: Uint8Array): RecoverySymbol {
  const symbols = decodeRecoverySymbols(response);
  if (symbols.length !== 1) {
    throw new InvalidSymbolError(`a supplier of one shard answered with ${symbols.length} symbols`);
  }
  const symbol = symbols[0];
  const source = sliverIndexOf(orthogonal(request.target), request.supplier, meta.params.nShards);
  if (symbol.target !== request.target || symbol.targetIndex !== request.targetIndex || symbol.sourceIndex !== source) {
    throw new InvalidSymbolError(
      `asked for the symbol of ${request.target} sliver ${request.targetIndex} from source ${source}, got ` +
        `${symbol.target} sliver ${symbol.targetIndex} from source ${symbol.sourceIndex}`,
    );
  }
  verifyRecoverySymbol(meta, symbol);
  return symbol;
}

/**
 * Recovers one sliver by asking `suppliers` in order until the threshold of answers is accepted.
 * Throws {@link "spec/errors"!NotEnoughSymbolsError} (from `recoverSliver`) when the suppliers run out first.
 */
export function recoverFromSuppliers(
  meta: VerifiedMetadata,
  holdings: readonly PairHoldings[],
  target: Axis,
  targetIndex: number,
  suppliers: readonly number[],
  channel: ResponseChannel = (_, response) => response,
): SliverRecoveryReport {
  const n = meta.params.nShards;
  checkedIndex("target index", targetIndex, n);
  if (holdings.length !== n) throw new InvalidParametersError(`holdings for ${holdings.length} pairs, n is ${n}`);
  const need = recoveryThreshold(meta.params, target);
  const accepted: RecoverySymbol[] = [];
  const kept: number[] = [];
  const rejected: RejectedResponse[] = [];
  let bytes = 0;
  for (const supplier of suppliers) {
    if (accepted.length === need) break;
    const request = { target, targetIndex, supplier: checkedIndex("supplier", supplier, n) };
    const honest = honestResponse(meta.params, holdings, request);
    if (honest === undefined) continue;
    const response = channel(request, honest);
    try {
      accepted.push(acceptResponse(meta, request, response));
    } catch (error) {
      if (!(error instanceof WalrusSpecError)) throw error;
      rejected.push({ supplier, bytes: response.length, error });
      continue;
    }
    kept.push(supplier);
    bytes += response.length;
  }
  const result = recoverSliver(meta, target, targetIndex, accepted);
  return { target, targetIndex, suppliers: kept, bytes, rejected, result };
}

function recovered(report: SliverRecoveryReport): Sliver | undefined {
  return report.result.kind === "recovered" ? report.result.sliver : undefined;
}

/**
 * Recovers the pairs in `recovering`, as the paper orders it: every one first rebuilds its
 * secondary sliver from the primary slivers still held, then its primary sliver from secondary
 * slivers, the rebuilt ones included (so up to 2f pairs can recover: n−2f primary slivers remain).
 * Suppliers are all other pairs in the order `order` gives; `holdings` is not changed.
 */
export function recoverPairs(
  meta: VerifiedMetadata,
  holdings: readonly PairHoldings[],
  recovering: readonly number[],
  order: SupplierOrder,
  channel?: ResponseChannel,
): PairRecoveryReport[] {
  const n = meta.params.nShards;
  const pairs = recovering.map((pair) => checkedIndex("recovering pair", pair, n));
  if (new Set(pairs).size !== pairs.length) throw new InvalidParametersError("a pair is listed twice as recovering");
  const state = holdings.map((held) => ({ ...held }));
  const others = (pair: number) => [...Array(n).keys()].filter((q) => q !== pair);
  const run = (target: Axis, pair: number, view: readonly PairHoldings[]) => {
    const targetIndex = sliverIndexOf(target, pair, n);
    const suppliers = order({ target, targetIndex }, others(pair));
    return recoverFromSuppliers(meta, view, target, targetIndex, suppliers, channel);
  };
  // Secondary slivers are rebuilt from the holdings before any pair recovered: a pair that lost its
  // primary sliver cannot serve anyone's secondary until it has recovered that one itself.
  const secondaries = pairs.map((pair) => run("secondary", pair, state));
  pairs.forEach((pair, i) => {
    const sliver = recovered(secondaries[i]);
    if (sliver !== undefined) state[pair] = { ...state[pair], secondary: sliver };
  });
  return pairs.map((pair, i) => {
    const primary = run("primary", pair, state);
    return { pair, secondary: secondaries[i], primary, bytes: secondaries[i].bytes + primary.bytes };
  });
}
