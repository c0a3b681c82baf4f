/**
 * The storage challenge's symbols (paper §5, steps 3–4): which cells of the expanded matrix a
 * challenged pair shares with a receiver, and the receiver's check of one symbol it is sent.
 *
 * Pair p holds primary sliver p (row p of the expanded n×n matrix M) and secondary sliver n−1−p
 * (column n−1−p; spec/codec/slivers.ts). Pairs p ≠ q share exactly two cells, M[p][n−1−q] and
 * M[q][n−1−p]: one cut from p's primary sliver (the receiver's secondary sliver holds it) and one
 * cut from p's secondary sliver (the receiver's primary holds it). They travel as recovery
 * symbols, named as recovery names them: `target` and `targetIndex` the receiver's sliver,
 * `sourceIndex` the challenger's.
 *
 * The receiver checks that a symbol is the exact cell it is owed, not only that its opening
 * verifies: a column of padding has n equal leaves, so another cell's symbol can verify too. Why
 * that check suffices, and which of the two cells carries the soundness, is
 * analysis/challenge-soundness.ts; the storage node's challenge region
 * (machines/node/challenge.ts) runs it.
 */

import type { VerifiedMetadata } from "./commitments/metadata.js";
import { type RecoverySymbol, verifyRecoverySymbol } from "./codec/recovery.js";
import { type Axis, orthogonal, sliverIndexOf } from "./codec/slivers.js";
import { InvalidParametersError, InvalidSymbolError } from "./errors.js";
import { encodingParams } from "./params.js";

/** One cell of the expanded matrix that a challenged pair shares with a receiver, as the challenger cuts it. */
export interface SharedSymbol {
  /** Axis of the challenger's sliver the symbol is cut from. */
  readonly source: Axis;
  /** That sliver's index: the challenger's primary sliver p or secondary sliver n−1−p. */
  readonly sourceIndex: number;
  /** Axis of the receiver's sliver that holds the same cell: the other axis. */
  readonly target: Axis;
  /** The receiver's sliver index on that axis, and the leaf opened in the source sliver's tree. */
  readonly targetIndex: number;
  /** The cell in the expanded n×n matrix. */
  readonly row: number;
  readonly column: number;
}

/** The source axes a challenge asks for: both shared symbols, as the paper has it. */
export const ALL_SHARED: readonly Axis[] = ["primary", "secondary"];
/**
 * Only the symbol cut from the challenger's primary sliver, which carries the soundness
 * (analysis/challenge-soundness.ts, finding 2).
 * Every shared cell still travels once: what q sends p from its primary sliver is the cell p would
 * have sent q from its secondary.
 */
export const HIGH_THRESHOLD_ONLY: readonly Axis[] = ["primary"];

/** A sliver pair index, checked to be in 0..n−1 ({@link InvalidParametersError} otherwise). */
export function checkedPair(name: string, pair: number, nShards: number): number {
  if (!Number.isInteger(pair) || pair < 0 || pair >= nShards) {
    throw new InvalidParametersError(`${name} must be an integer in 0..${nShards - 1}, got ${pair}`);
  }
  return pair;
}

/** The challenged source axes, checked to be distinct and not empty ({@link InvalidParametersError} otherwise). */
export function checkedSources(sources: readonly Axis[]): readonly Axis[] {
  if (sources.length === 0 || new Set(sources).size !== sources.length) {
    throw new InvalidParametersError(`challenged source axes must be distinct and not empty, got [${sources}]`);
  }
  return sources;
}

/** The cell of the expanded matrix a recovery or challenged symbol carries. */
export function cellOf(symbol: Pick<RecoverySymbol, "target" | "targetIndex" | "sourceIndex">): {
  row: number;
  column: number;
} {
  return symbol.target === "primary"
    ? { row: symbol.targetIndex, column: symbol.sourceIndex }
    : { row: symbol.sourceIndex, column: symbol.targetIndex };
}

/**
 * The symbols challenged pair `challenger` sends pair `receiver`, in the order of `sources`: cut
 * from its primary sliver (cell (p, n−1−q)) and from its secondary sliver (cell (q, n−1−p)).
 */
export function sharedSymbols(
  nShards: number,
  challenger: number,
  receiver: number,
  sources: readonly Axis[] = ALL_SHARED,
): SharedSymbol[] {
  encodingParams(nShards);
  checkedPair("challenger", challenger, nShards);
  checkedPair("receiver", receiver, nShards);
  if (challenger === receiver) throw new InvalidParametersError(`pair ${challenger} does not challenge itself`);
  return checkedSources(sources).map((source) => {
    const target = orthogonal(source);
    const sourceIndex = sliverIndexOf(source, challenger, nShards);
    const targetIndex = sliverIndexOf(target, receiver, nShards);
    return { source, sourceIndex, target, targetIndex, ...cellOf({ target, targetIndex, sourceIndex }) };
  });
}

/**
 * Checks one challenged symbol as its receiver does: it is the expected cell (target axis and index,
 * source index) and its opening verifies against the source sliver's commitment in the metadata.
 * Throws {@link InvalidSymbolError}.
 */
export function verifyChallengedSymbol(meta: VerifiedMetadata, expected: SharedSymbol, symbol: RecoverySymbol): void {
  if (
    symbol.target !== expected.target ||
    symbol.targetIndex !== expected.targetIndex ||
    symbol.sourceIndex !== expected.sourceIndex
  ) {
    throw new InvalidSymbolError(
      `challenged symbol of ${expected.target} sliver ${expected.targetIndex} from ${expected.source} ` +
        `sliver ${expected.sourceIndex} expected, got ${symbol.target} sliver ${symbol.targetIndex} ` +
        `from source ${symbol.sourceIndex}`,
    );
  }
  verifyRecoverySymbol(meta, symbol);
}
