/**
 * Self-healing: recovery symbols, sliver recovery and inconsistency proofs (walrus-core
 * `encoding/slivers.rs`, `encoding/symbols.rs`, `inconsistency.rs`; paper §4 "sliver healing").
 *
 * Symbol M[i][j] lies on row i and column j of the expanded matrix, so it belongs to two slivers:
 * - a node holding secondary sliver j serves M[i][j] to whoever recovers primary sliver i, with the
 *   Merkle proof of leaf i under secondary sliver j's commitment; n−f such symbols decode row i;
 * - a node holding primary sliver i serves M[i][j] to whoever recovers secondary sliver j, with the
 *   proof of leaf j under primary sliver i's commitment; n−2f such symbols decode column j.
 *
 * A recovered sliver whose root differs from the metadata proves the writer encoded inconsistently;
 * the symbols used are the proof, and anyone can re-run the decoding to check it.
 */

import { InvalidSymbolError, NotEnoughSymbolsError } from "../errors.js";
import type { EncodingParams } from "../params.js";
import { DIGEST_WORDS, MerkleTree, type MerkleProof, equalBytes, verifyMerkleProof } from "../commitments/merkle.js";
import { type VerifiedMetadata, sliverCommitment } from "../commitments/metadata.js";
import { hashLeavesInto } from "../hash/blake2b.js";
import { rsDecode } from "./reed-solomon.js";
import { elementsToSymbols, symbolsToElements } from "./symbol-layout.js";
import {
  type Axis,
  type Sliver,
  expandSliver,
  orthogonal,
  sliverCode,
  sliverRoot,
  sliverSymbolCount,
} from "./slivers.js";

/** A symbol for recovering a sliver, with its proof (walrus-core `GeneralRecoverySymbol`). */
export interface RecoverySymbol {
  /** Axis of the sliver this symbol helps recover. */
  readonly target: Axis;
  /** Index of the sliver being recovered: the leaf index in the source sliver's tree. */
  readonly targetIndex: number;
  /** Index of the source sliver, on the other axis: the symbol index for decoding. */
  readonly sourceIndex: number;
  readonly data: Uint8Array;
  /** Proof of leaf `targetIndex` under the source sliver's commitment. */
  readonly proof: MerkleProof;
}

/** An inconsistency proof (`InconsistencyProof<A>`): the symbols that decode to a sliver the metadata contradicts. */
export interface InconsistencyProof {
  /** Axis of the target sliver. */
  readonly axis: Axis;
  readonly targetIndex: number;
  readonly symbols: ReadonlyArray<Pick<RecoverySymbol, "sourceIndex" | "data" | "proof">>;
}

/** What recovering a sliver gives: the sliver, or proof that the writer's encoding is inconsistent. */
export type RecoveryResult =
  | { readonly kind: "recovered"; readonly sliver: Sliver }
  | { readonly kind: "inconsistent"; readonly proof: InconsistencyProof };

/**
 * Symbols needed to recover a sliver of `axis`: n−f for primary, n−2f for secondary — as many as
 * the sliver has, since its code is MDS.
 */
export function recoveryThreshold(params: EncodingParams, axis: Axis): number {
  return sliverSymbolCount(params, axis);
}

/**
 * Serves recovery symbols from one sliver a node holds. Expands the sliver and builds its tree
 * once, since a node answers many requests for the same sliver.
 */
export class RecoverySymbolSource {
  private readonly expanded: Uint8Array;
  private readonly tree: MerkleTree;
  private readonly symbolSize: number;

  constructor(
    params: EncodingParams,
    readonly sliver: Sliver,
  ) {
    this.symbolSize = sliver.symbolSize;
    this.expanded = expandSliver(params, sliver.axis, sliver.symbolSize, sliver.data);
    const leaves = new Uint32Array(params.nShards * DIGEST_WORDS);
    hashLeavesInto(this.expanded, 0, this.symbolSize, params.nShards, leaves, 0);
    this.tree = MerkleTree.fromLeafHashes(leaves, 0, DIGEST_WORDS, params.nShards);
  }

  /** The symbol this sliver contributes to recovering sliver `targetIndex` of the other axis. */
  symbolFor(targetIndex: number): RecoverySymbol {
    const s = this.symbolSize;
    return {
      target: orthogonal(this.sliver.axis),
      targetIndex,
      sourceIndex: this.sliver.index,
      data: this.expanded.slice(targetIndex * s, (targetIndex + 1) * s),
      proof: this.tree.proof(targetIndex),
    };
  }
}

/**
 * Checks a recovery symbol against verified metadata: indices in range, the metadata's symbol size,
 * and the proof of leaf `targetIndex` under the source sliver's commitment. Throws
 * {@link InvalidSymbolError}.
 */
export function verifyRecoverySymbol(meta: VerifiedMetadata, symbol: RecoverySymbol): void {
  checkSymbol(meta, symbol.target, symbol.targetIndex, symbol);
}

function checkSymbol(
  meta: VerifiedMetadata,
  target: Axis,
  targetIndex: number,
  symbol: Pick<RecoverySymbol, "sourceIndex" | "data" | "proof">,
): void {
  const n = meta.params.nShards;
  const label = `symbol ${symbol.sourceIndex} for ${target} sliver ${targetIndex}`;
  if (!Number.isInteger(targetIndex) || targetIndex < 0 || targetIndex >= n) {
    throw new InvalidSymbolError(`${label}: target index out of range 0..${n - 1}`);
  }
  if (!Number.isInteger(symbol.sourceIndex) || symbol.sourceIndex < 0 || symbol.sourceIndex >= n) {
    throw new InvalidSymbolError(`${label}: source index out of range 0..${n - 1}`);
  }
  if (symbol.data.length !== meta.symbolSize) {
    throw new InvalidSymbolError(`${label}: ${symbol.data.length} bytes, the symbol size is ${meta.symbolSize}`);
  }
  const root = sliverCommitment(meta.metadata, orthogonal(target), symbol.sourceIndex);
  if (!verifyMerkleProof(root, symbol.data, targetIndex, n, symbol.proof)) {
    throw new InvalidSymbolError(`${label}: Merkle proof does not verify against the metadata`);
  }
}

/** Decodes the target sliver from symbols that were already checked (distinct sources, ≥ threshold). */
function decodeSliver(
  params: EncodingParams,
  symbolSize: number,
  target: Axis,
  targetIndex: number,
  symbols: ReadonlyArray<Pick<RecoverySymbol, "sourceIndex" | "data">>,
): Sliver {
  const { k, m } = sliverCode(params, target);
  const e = symbolSize / 2;
  const received = symbols.map((symbol): [number, Uint16Array] => {
    const elements = new Uint16Array(e);
    symbolsToElements(symbol.data, 0, symbolSize, 1, elements, 0);
    return [symbol.sourceIndex, elements];
  });
  const originals = rsDecode(k, m, received);
  const data = new Uint8Array(k * symbolSize);
  originals.forEach((elements, i) => {
    elementsToSymbols(elements, 0, symbolSize, 1, data, i * symbolSize);
  });
  return { axis: target, index: targetIndex, symbolSize, data };
}

/**
 * Recovers sliver `targetIndex` of `target` from recovery symbols. Every symbol is checked against
 * the metadata first; invalid ones and repeated sources are dropped (the result says nothing about
 * them), and {@link NotEnoughSymbolsError} is thrown when fewer than the threshold remain. If the
 * decoded sliver contradicts the metadata, the result is an inconsistency proof made of exactly the
 * threshold symbols that were used.
 */
export function recoverSliver(
  meta: VerifiedMetadata,
  target: Axis,
  targetIndex: number,
  symbols: readonly RecoverySymbol[],
): RecoveryResult {
  const need = recoveryThreshold(meta.params, target);
  const used: RecoverySymbol[] = [];
  const seen = new Set<number>();
  for (const symbol of symbols) {
    if (used.length === need) break;
    if (symbol.target !== target || symbol.targetIndex !== targetIndex || seen.has(symbol.sourceIndex)) continue;
    try {
      verifyRecoverySymbol(meta, symbol);
    } catch {
      continue;
    }
    seen.add(symbol.sourceIndex);
    used.push(symbol);
  }
  if (used.length < need) throw new NotEnoughSymbolsError(used.length, need);
  const sliver = decodeSliver(meta.params, meta.symbolSize, target, targetIndex, used);
  if (equalBytes(sliverRoot(meta.params, sliver), sliverCommitment(meta.metadata, target, targetIndex))) {
    return { kind: "recovered", sliver };
  }
  return {
    kind: "inconsistent",
    proof: {
      axis: target,
      targetIndex,
      symbols: used.map(({ sourceIndex, data, proof }) => ({ sourceIndex, data, proof })),
    },
  };
}

/**
 * Verifies an inconsistency proof against verified metadata (walrus-core
 * `InconsistencyProof::verify`): exactly the recovery threshold of symbols, each valid against the
 * metadata, decoding to a sliver whose root differs from the commitment. Any other outcome — a bad
 * count, a bad symbol, repeated sources, or a sliver that matches — means the proof is not valid.
 */
export function verifyInconsistencyProof(meta: VerifiedMetadata, proof: InconsistencyProof): boolean {
  const need = recoveryThreshold(meta.params, proof.axis);
  if (proof.symbols.length !== need) return false;
  const sources = new Set<number>();
  for (const symbol of proof.symbols) {
    try {
      checkSymbol(meta, proof.axis, proof.targetIndex, symbol);
    } catch {
      return false;
    }
    sources.add(symbol.sourceIndex);
  }
  if (sources.size !== need) return false;
  const sliver = decodeSliver(meta.params, meta.symbolSize, proof.axis, proof.targetIndex, proof.symbols);
  return !equalBytes(sliverRoot(meta.params, sliver), sliverCommitment(meta.metadata, proof.axis, proof.targetIndex));
}
