/**
 * Storage-challenge soundness, the codec side: which symbols a challenged node sends, how a receiver
 * checks them, and what a node that deleted its sliver pair can still compute from the data other
 * nodes hand it while the challenge runs.
 *
 * The claim. Paper, fully asynchronous challenge (walrus-protocol.md §5.1): once a quorum (2f+1) is
 * in challenge mode, every challenged node sends every other node the symbols the two share, each
 * with an opening against the writer's commitment; the receiver checks the opening and signs; 2f+1
 * signatures make the node's certificate. Honest nodes in challenge mode serve neither reads nor
 * recovery, so a node that threw its data away can draw only on the nodes outside challenge mode:
 * f corrupt and f slow, the paper counts, 2f symbols, one short of the 2f+1 that the high-threshold
 * axis needs. Challenges exist only in the paper; the implementation has no challenge code (§5.3).
 * The paper fixes no wire format: a response is modelled here as BCS `Vec<GeneralRecoverySymbol>`,
 * the form in which nodes already send symbols with openings (walrus-codec.md §7–8).
 *
 * Which symbols two pairs share (spec/codec/slivers.ts: pair p holds primary sliver p, row p of the
 * expanded n×n matrix M, and secondary sliver n−1−p, column n−1−p). Pairs p ≠ q share exactly two
 * cells, M[p][n−1−q] and M[q][n−1−p]; challenged pair p sends receiver q both:
 * - cut from p's primary sliver: source primary p, target secondary n−1−q (the receiver's
 *   secondary sliver holds it), opened at leaf n−1−q under p's primary hash. To compute it without
 *   the data, p must rebuild row p: n−f symbols (2f+1 when n = 3f+1), the high threshold;
 * - cut from p's secondary sliver: source secondary n−1−p, target primary q (the receiver's primary
 *   sliver holds it), opened at leaf q under p's secondary hash. Rebuilding column n−1−p takes only
 *   n−2f symbols (f+1), the low threshold.
 * These are {@link RecoverySymbol}s, named as recovery names them: `target` and `targetIndex` the
 * receiver's sliver, `sourceIndex` the challenger's.
 *
 * What the receiver checks: that each symbol is the cell it is owed (a symbol of another cell can
 * verify too when the two leaves hold the same bytes: a column of padding has n equal leaves), and
 * its opening against the metadata; nothing else. A receiver that holds
 * its own sliver could compare the value with its own copy, but for a consistent encoding a valid
 * opening already fixes the value (the receiver's copy verifies against the same metadata and both
 * trees commit to the same cell), and for an inconsistent encoding the comparison would fail an
 * honest node for the writer's fault: the row and column commitments then disagree on the cell, and
 * the remedy is an inconsistency proof, not a failed challenge.
 *
 * The cheater. A node that deleted its sliver pair keeps the verified metadata and receives what
 * nodes outside challenge mode disclose ({@link Disclosure}); it knows every sliver it can rebuild
 * with the real recovery (`recoverSliver`), and from each sliver it knows or rebuilds it cuts the
 * symbols of every orthogonal sliver, repeated until nothing more decodes. What it can answer is
 * then read off ({@link cheaterAnswers}). The model grants it every opening it asks for (it could
 * have kept its two Merkle trees, about 4n digests, and dropped only the symbols), so soundness
 * rests on values alone: a value it cannot compute it can only guess, and a wrong value fails the
 * opening. The nodes that serve it are its suppliers, as in analysis/recovery-bounds.ts. The
 * budget ({@link supplierBudget}) counts what it gathers once a quorum is in challenge mode; what it
 * gathers before, from correct nodes that have not yet seen the chain's start, nothing bounds
 * (docs/challenge.md finds that in the challenge machines).
 *
 * The findings (tested in test/challenge-soundness.test.ts, written up in
 * docs/challenge-soundness.md):
 * 1. The cheater's own rebuilt secondary sliver supplies one symbol of its primary sliver, the cell
 *    M[p][n−1−p] its two slivers share. So n−f−1 suppliers rebuild both slivers, not n−f: with
 *    n = 3f+1, 2f suppliers suffice. Within the budget the claim still holds, by exactly one
 *    symbol: the cheater is one of the f faults, so once a quorum is in challenge mode at most 2f−1
 *    other nodes serve it ({@link supplierBudget}), and 2f−1 + 1 = 2f < 2f+1.
 * 2. The symbols cut from the challenger's secondary sliver prove little: n−2f suppliers rebuild
 *    that sliver, which is within the budget whenever n ≤ 4f−1 (n = 7, 10, 11 and every n ≥ 13).
 *    Only the symbols cut from the primary sliver, on the high-threshold axis, make the challenge
 *    sound. For the same reason a node may delete its secondary sliver, a third of its share, and
 *    keep only its primary: it rebuilds the secondary from n−2f−1 suppliers
 *    ({@link suppliersToRebuildKeeping}), within the budget whenever n ≤ 4f. The challenge enforces
 *    the primary sliver, not the pair.
 * 3. The argument needs nodes outside challenge mode to hand out nothing of the low-threshold axis
 *    beyond the requester's own recovery symbols: a primary sliver (the implementation's read) or
 *    symbols cut from it for any target add up, from n−2f nodes, to the whole blob.
 */

import type { VerifiedMetadata } from "../spec/commitments/metadata.js";
import type { EncodedBlob } from "../spec/codec/encode.js";
import {
  type RecoverySymbol,
  RecoverySymbolSource,
  recoverSliver,
  verifyRecoverySymbol,
} from "../spec/codec/recovery.js";
import {
  type Axis,
  type Sliver,
  orthogonal,
  sliverIndexOf,
  sliverSymbolCount,
  verifySliver,
} from "../spec/codec/slivers.js";
import { decodeRecoverySymbols, encodeRecoverySymbols } from "../spec/bcs.js";
import { InvalidParametersError, InvalidSymbolError, WalrusSpecError } from "../spec/errors.js";
import { type EncodingParams, encodingParams, isQuorum, minCorrect, symbolSizeFor } from "../spec/params.js";
import { responseWireBytes, ulebLength } from "./recovery-bounds.js";
import {
  ALL_SHARED,
  type SharedSymbol,
  cellOf,
  checkedPair,
  checkedSources,
  sharedSymbols,
  verifyChallengedSymbol,
} from "../spec/challenge-symbols.js";

// --- the challenged node's answer ---

/** The two slivers a pair stores. */
export interface PairSlivers {
  readonly primary: Sliver;
  readonly secondary: Sliver;
}

/** The pair holding `slivers`, after checking that they are one pair's (primary p, secondary n−1−p). */
function pairOf(params: EncodingParams, slivers: PairSlivers): number {
  const n = params.nShards;
  const pair = checkedPair("primary sliver index", slivers.primary.index, n);
  if (slivers.primary.axis !== "primary" || slivers.secondary.axis !== "secondary") {
    throw new InvalidParametersError("a pair holds one primary and one secondary sliver");
  }
  if (slivers.secondary.index !== sliverIndexOf("secondary", pair, n)) {
    throw new InvalidParametersError(
      `pair ${pair} holds secondary sliver ${sliverIndexOf("secondary", pair, n)}, not ${slivers.secondary.index}`,
    );
  }
  return pair;
}

/** The slivers of pair `pair` of an encoded blob. */
export function pairSlivers(
  encoded: Pick<EncodedBlob, "params" | "primarySlivers" | "secondarySlivers">,
  pair: number,
): PairSlivers {
  const n = encoded.params.nShards;
  checkedPair("pair", pair, n);
  return {
    primary: encoded.primarySlivers[sliverIndexOf("primary", pair, n)],
    secondary: encoded.secondarySlivers[sliverIndexOf("secondary", pair, n)],
  };
}

// A node cuts every challenged symbol of a blob from the same two expansions and trees.
const symbolSources = new WeakMap<Sliver, RecoverySymbolSource>();

function sourceOf(params: EncodingParams, sliver: Sliver): RecoverySymbolSource {
  let source = symbolSources.get(sliver);
  if (source === undefined) {
    source = new RecoverySymbolSource(params, sliver);
    symbolSources.set(sliver, source);
  }
  return source;
}

/**
 * The challenged symbols the pair holding `slivers` sends `receiver`, cut from its slivers with
 * their openings, in the order of `sources`.
 */
export function challengedSymbols(
  params: EncodingParams,
  slivers: PairSlivers,
  receiver: number,
  sources: readonly Axis[] = ALL_SHARED,
): RecoverySymbol[] {
  const challenger = pairOf(params, slivers);
  return sharedSymbols(params.nShards, challenger, receiver, sources).map((shared) =>
    sourceOf(params, slivers[shared.source]).symbolFor(shared.targetIndex),
  );
}

/** The challenged pair's response to `receiver` for one blob, as BCS `Vec<GeneralRecoverySymbol>`. */
export function challengeResponse(
  params: EncodingParams,
  slivers: PairSlivers,
  receiver: number,
  sources: readonly Axis[] = ALL_SHARED,
): Uint8Array {
  return encodeRecoverySymbols(challengedSymbols(params, slivers, receiver, sources));
}

// --- the receiver's check ---

/**
 * What `receiver` accepts from challenged pair `challenger` for one blob: exactly the challenged
 * symbols, in the order of `sources`, each verifying against the metadata. Throws
 * {@link "spec/errors"!MalformedBcsError} for bytes that do not parse and {@link InvalidSymbolError} for anything
 * else; the receiver signs only when this returns.
 */
export function acceptChallengeResponse(
  meta: VerifiedMetadata,
  challenger: number,
  receiver: number,
  response: Uint8Array,
  sources: readonly Axis[] = ALL_SHARED,
): RecoverySymbol[] {
  const expected = sharedSymbols(meta.params.nShards, challenger, receiver, sources);
  const symbols = decodeRecoverySymbols(response);
  if (symbols.length !== expected.length) {
    throw new InvalidSymbolError(`${expected.length} challenged symbols expected, got ${symbols.length}`);
  }
  symbols.forEach((symbol, i) => {
    verifyChallengedSymbol(meta, expected[i], symbol);
  });
  return symbols;
}

/** Whether `receiver` accepts the response (never throws on bad bytes). */
export function challengeResponseVerifies(
  meta: VerifiedMetadata,
  challenger: number,
  receiver: number,
  response: Uint8Array,
  sources: readonly Axis[] = ALL_SHARED,
): boolean {
  // Impossible pairs are the caller's mistake, not a bad response: let them throw.
  sharedSymbols(meta.params.nShards, challenger, receiver, sources);
  try {
    acceptChallengeResponse(meta, challenger, receiver, response, sources);
    return true;
  } catch (error) {
    if (error instanceof WalrusSpecError) return false;
    throw error;
  }
}

// --- the cheater ---

/**
 * What a node outside challenge mode may hand the cheater:
 * - `recoveryForCheater`: its answers to the cheater's recovery requests for the cheater's own two
 *   slivers, one symbol cut from each of its slivers (paper §4, the only recovery an honest node
 *   that serves requesters for their own slivers gives);
 * - `secondarySliver`: its secondary sliver, as the paper's read serves it (2f+1 decode the blob);
 * - `primarySliver`: its primary sliver, as the implementation's read serves it (n−2f decode the
 *   blob); recovery answers for any target cut from the primary sliver add up to the same.
 */
export type Disclosure = "recoveryForCheater" | "secondarySliver" | "primarySliver";

/** A Byzantine node hands over everything it holds. */
export const BYZANTINE: readonly Disclosure[] = ["recoveryForCheater", "secondarySliver", "primarySliver"];
/** An honest node outside challenge mode under the paper's rules: recovery and the high-threshold read. */
export const PAPER_HONEST: readonly Disclosure[] = ["recoveryForCheater", "secondarySliver"];

/** Data that reached the cheater: whole slivers and single symbols. */
export interface Disclosed {
  readonly slivers: readonly Sliver[];
  readonly symbols: readonly RecoverySymbol[];
}

/** What the pair holding `slivers` discloses to the cheater at pair `cheater`. */
export function disclose(
  params: EncodingParams,
  slivers: PairSlivers,
  cheater: number,
  disclosures: readonly Disclosure[],
): Disclosed {
  const n = params.nShards;
  const supplier = pairOf(params, slivers);
  checkedPair("cheater", cheater, n);
  if (supplier === cheater) throw new InvalidParametersError(`pair ${cheater} cannot supply itself`);
  const out: { slivers: Sliver[]; symbols: RecoverySymbol[] } = { slivers: [], symbols: [] };
  for (const disclosure of new Set(disclosures)) {
    if (disclosure === "primarySliver") out.slivers.push(slivers.primary);
    else if (disclosure === "secondarySliver") out.slivers.push(slivers.secondary);
    else {
      for (const target of ["primary", "secondary"] as const) {
        const sliver = slivers[orthogonal(target)];
        out.symbols.push(sourceOf(params, sliver).symbolFor(sliverIndexOf(target, cheater, n)));
      }
    }
  }
  return out;
}

/** Everything several nodes disclosed, together. */
export function mergeDisclosed(parts: readonly Disclosed[]): Disclosed {
  return { slivers: parts.flatMap((part) => part.slivers), symbols: parts.flatMap((part) => part.symbols) };
}

const sliverKey = (axis: Axis, index: number) => `${axis}:${index}`;

/** What the cheater can compute: the slivers it rebuilt or was given, and single cells besides. */
export interface CheaterKnowledge {
  readonly params: EncodingParams;
  /** Slivers by `axis:index`, each verified against the metadata. */
  readonly slivers: ReadonlyMap<string, Sliver>;
  /** Values of single cells it received, by row·n + column (cells of known slivers included or not). */
  readonly cells: ReadonlyMap<number, Uint8Array>;
  /** Slivers it rebuilt with `recoverSliver`, in the order it rebuilt them. */
  readonly rebuilt: readonly { readonly axis: Axis; readonly index: number }[];
}

/** The sliver of `axis` and `index` the cheater knows, if any. */
export function knownSliver(knowledge: CheaterKnowledge, axis: Axis, index: number): Sliver | undefined {
  return knowledge.slivers.get(sliverKey(axis, index));
}

/**
 * The closure of what the cheater can compute from `disclosed` with the real codec. Disclosed slivers
 * and symbols that do not verify against the metadata are dropped (they cannot help it produce values
 * that verify). Then, until nothing changes: from every known sliver it cuts the symbol for every
 * orthogonal sliver (its own rebuilt slivers included), and every sliver with at least the recovery
 * threshold of symbols from distinct sources is rebuilt with `recoverSliver`.
 */
export function cheaterKnowledge(meta: VerifiedMetadata, disclosed: Disclosed): CheaterKnowledge {
  const { params } = meta;
  const n = params.nShards;
  const slivers = new Map<string, Sliver>();
  const cells = new Map<number, Uint8Array>();
  const rebuilt: { axis: Axis; index: number }[] = [];
  // Symbols for recovering each sliver, by target key, then by source index.
  const pool = new Map<string, Map<number, RecoverySymbol>>();
  const unexpanded: Sliver[] = [];

  const addSymbol = (symbol: RecoverySymbol) => {
    const key = sliverKey(symbol.target, symbol.targetIndex);
    let entry = pool.get(key);
    if (entry === undefined) {
      entry = new Map();
      pool.set(key, entry);
    }
    entry.set(symbol.sourceIndex, symbol);
  };
  const addSliver = (sliver: Sliver) => {
    const key = sliverKey(sliver.axis, sliver.index);
    if (slivers.has(key)) return;
    slivers.set(key, sliver);
    unexpanded.push(sliver);
  };

  for (const sliver of disclosed.slivers) {
    try {
      verifySliver(meta, sliver);
    } catch (error) {
      if (error instanceof WalrusSpecError) continue;
      throw error;
    }
    addSliver(sliver);
  }
  for (const symbol of disclosed.symbols) {
    try {
      verifyRecoverySymbol(meta, symbol);
    } catch (error) {
      if (error instanceof WalrusSpecError) continue;
      throw error;
    }
    addSymbol(symbol);
    const { row, column } = cellOf(symbol);
    cells.set(row * n + column, symbol.data);
  }

  for (;;) {
    for (let sliver = unexpanded.pop(); sliver !== undefined; sliver = unexpanded.pop()) {
      const source = sourceOf(params, sliver);
      for (let t = 0; t < n; t++) addSymbol(source.symbolFor(t));
    }
    let progress = false;
    for (const axis of ["secondary", "primary"] as const) {
      const need = sliverSymbolCount(params, axis);
      for (let index = 0; index < n; index++) {
        const key = sliverKey(axis, index);
        const symbols = pool.get(key);
        if (slivers.has(key) || symbols === undefined || symbols.size < need) continue;
        const result = recoverSliver(meta, axis, index, [...symbols.values()]);
        // An inconsistent encoding decodes to a sliver the metadata contradicts: no verifying
        // answer can come of it.
        if (result.kind !== "recovered") continue;
        addSliver(result.sliver);
        rebuilt.push({ axis, index });
        progress = true;
      }
    }
    if (!progress) break;
  }
  return { params, slivers, cells, rebuilt };
}

/**
 * The value of cell (row, column) if the cheater can compute it: from a known row, a known column,
 * or a cell it received.
 */
export function cellValue(knowledge: CheaterKnowledge, row: number, column: number): Uint8Array | undefined {
  const { params } = knowledge;
  const n = params.nShards;
  const primary = knownSliver(knowledge, "primary", row);
  if (primary !== undefined) return sourceOf(params, primary).symbolFor(column).data;
  const secondary = knownSliver(knowledge, "secondary", column);
  if (secondary !== undefined) return sourceOf(params, secondary).symbolFor(row).data;
  return knowledge.cells.get(row * n + column);
}

/** What the cheater can put forward for one challenged symbol. */
export interface CheaterAnswer {
  readonly shared: SharedSymbol;
  /** The cell's value, if it can compute it at all (enough for a cheater that kept its Merkle trees). */
  readonly value: Uint8Array | undefined;
  /** The symbol with its opening, if it knows the source sliver itself (the only way without its trees). */
  readonly symbol: RecoverySymbol | undefined;
}

/** The cheater's answers for the symbols challenged pair `cheater` owes `receiver`. */
export function cheaterAnswers(
  knowledge: CheaterKnowledge,
  cheater: number,
  receiver: number,
  sources: readonly Axis[] = ALL_SHARED,
): CheaterAnswer[] {
  const { params } = knowledge;
  return sharedSymbols(params.nShards, cheater, receiver, sources).map((shared) => {
    const sliver = knownSliver(knowledge, shared.source, shared.sourceIndex);
    return {
      shared,
      value: cellValue(knowledge, shared.row, shared.column),
      symbol: sliver === undefined ? undefined : sourceOf(params, sliver).symbolFor(shared.targetIndex),
    };
  });
}

/**
 * The receivers (other than the cheater) for which it can compute every challenged value, and
 * whether they and the cheater together reach a quorum, what a certificate needs. Counted for the
 * strongest cheater, which holds its openings and needs values only.
 */
export function answerableReceivers(
  knowledge: CheaterKnowledge,
  cheater: number,
  sources: readonly Axis[] = ALL_SHARED,
): { readonly receivers: readonly number[]; readonly certificate: boolean } {
  const n = knowledge.params.nShards;
  const receivers = [...Array(n).keys()].filter(
    (q) => q !== cheater && cheaterAnswers(knowledge, cheater, q, sources).every((a) => a.value !== undefined),
  );
  return { receivers, certificate: isQuorum(receivers.length + 1, n) };
}

// --- thresholds and budget, in closed form ---

/**
 * Nodes besides the cheater that may serve it once the challenge has begun: a quorum n−f is in
 * challenge mode and at most f of it is Byzantine, so n−2f honest nodes have stopped serving; the
 * other 2f nodes include the cheater, itself one of the f faults. 2f−1.
 */
export function supplierBudget(params: EncodingParams): number {
  const honestInChallengeMode = minCorrect(params.nShards) - params.maxFaulty;
  return params.nShards - honestInChallengeMode - 1;
}

/**
 * Suppliers (each answering the cheater's own recovery requests) it takes to rebuild the cheater's
 * sliver of `axis`: n−2f for the secondary; n−f−1 for the primary, because once the secondary is
 * rebuilt (n−f−1 ≥ n−2f) it supplies the cell both slivers share.
 */
export function suppliersToRebuild(params: EncodingParams, axis: Axis): number {
  return axis === "secondary" ? sliverSymbolCount(params, "secondary") : sliverSymbolCount(params, "primary") - 1;
}

/**
 * Suppliers a node that kept only its sliver of `kept` needs to rebuild the other one: the kept sliver
 * supplies the cell the two share, so one fewer than the other's recovery threshold. Keeping the
 * secondary sliver saves nothing (n−f−1, as for a node that kept neither); keeping the primary leaves
 * n−2f−1, within the budget 2f−1 whenever n ≤ 4f.
 */
export function suppliersToRebuildKeeping(params: EncodingParams, kept: Axis): number {
  return sliverSymbolCount(params, orthogonal(kept)) - 1;
}

// --- bytes on the wire ---

/** One `GeneralRecoverySymbol` opening leaf t: a one-symbol answer less its vector length. */
function symbolWireBytes(nShards: number, symbolSize: number, targetIndex: number): number {
  return responseWireBytes(nShards, symbolSize, targetIndex) - ulebLength(1);
}

/** Bytes of the response challenged pair `challenger` sends `receiver` for one blob of symbol size S. */
export function challengeResponseBytes(
  nShards: number,
  symbolSize: number,
  challenger: number,
  receiver: number,
  sources: readonly Axis[] = ALL_SHARED,
): number {
  const shared = sharedSymbols(nShards, challenger, receiver, sources);
  return (
    ulebLength(shared.length) +
    shared.reduce((sum, symbol) => sum + symbolWireBytes(nShards, symbolSize, symbol.targetIndex), 0)
  );
}

/** Per blob: what one challenged pair sends all others, and the mean over pairs. */
export interface ChallengeBytes {
  readonly symbolSize: number;
  /** Symbols a challenged pair sends each receiver. */
  readonly symbolsPerReceiver: number;
  /** Bytes challenged pair 0 sends all n−1 receivers. */
  readonly pairZero: number;
  /** Mean over the n challenged pairs of what each sends. */
  readonly meanPerNode: number;
  /** All pairs together. */
  readonly total: number;
  /** What a pair stores of the blob: its two slivers, (n−2f + n−f)·S. */
  readonly storedPerNode: number;
}

/** The challenge's bytes for one blob of `blobLength` bytes, summed from {@link challengeResponseBytes}. */
export function challengeBytes(
  nShards: number,
  blobLength: number,
  sources: readonly Axis[] = ALL_SHARED,
): ChallengeBytes {
  const params = encodingParams(nShards);
  const symbolSize = symbolSizeFor(params, blobLength);
  const perPair = [...Array(nShards).keys()].map((p) => {
    let sum = 0;
    for (let q = 0; q < nShards; q++) if (q !== p) sum += challengeResponseBytes(nShards, symbolSize, p, q, sources);
    return sum;
  });
  const total = perPair.reduce((a, b) => a + b, 0);
  return {
    symbolSize,
    symbolsPerReceiver: checkedSources(sources).length,
    pairZero: perPair[0],
    meanPerNode: total / nShards,
    total,
    storedPerNode: (params.primarySourceSymbols + params.secondarySourceSymbols) * symbolSize,
  };
}
