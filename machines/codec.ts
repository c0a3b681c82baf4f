/**
 * The codec of `spec/` by reference: what the machines call, from guards and assigns, to check and
 * rebuild metadata, slivers and symbols that states and messages hold as {@link ByteRef}s.
 *
 * Every function is pure (the same references give the same answer) and memoised on its
 * arguments, since the checker meets the same local transition under many global states and a
 * guard and the assign that follows it ask the same question. Two families:
 * - `load…` functions throw the codec's typed errors (unknown reference, malformed BCS, metadata
 *   or sliver that does not verify) — for callers that want to know why;
 * - predicates and outcomes (`…Matches…`, `recover…`, `read…`) never throw on bad input: a bad
 *   reference is simply not valid, which is what a node or a reader does with bad input.
 */

import {
  type Axis,
  type ConsistencyCheck,
  type RecoverySymbol,
  RecoverySymbolSource,
  type Sliver,
  type VerifiedMetadata,
  WalrusSpecError,
  InvalidMetadataError,
  blobIdFromString,
  blobIdToString,
  decodeBlob,
  decodeInconsistencyProof,
  deriveBlobId,
  decodeMetadataWithId,
  decodeRecoverySymbol,
  decodeSliver,
  encodeBlob,
  encodeInconsistencyProof,
  encodeRecoverySymbol,
  encodeSliver,
  orthogonal,
  pairForShard,
  recoverSliver,
  recoveryThreshold,
  verifyInconsistencyProof,
  verifyMetadata,
  verifyRecoverySymbol,
  verifySliver,
} from "../spec/index.js";
import { type ByteRef, getBytes, putBytes } from "../spec/store.js";
import { type SharedSymbol, verifyChallengedSymbol } from "../spec/challenge-symbols.js";
import type { BlobIdText } from "../spec/messages.js";

/** Memo tables by function: each answer, or the typed error it threw (bad input stays bad). */
const memos = new Map<string, Map<string, { value: unknown } | { error: WalrusSpecError }>>();

function memo<T>(table: string, key: string, compute: () => T): T {
  let entries = memos.get(table);
  if (entries === undefined) {
    entries = new Map();
    memos.set(table, entries);
  }
  let entry = entries.get(key);
  if (entry === undefined) {
    try {
      entry = { value: compute() };
    } catch (error) {
      if (!(error instanceof WalrusSpecError)) throw error;
      entry = { error };
    }
    entries.set(key, entry);
  }
  if ("error" in entry) throw entry.error;
  return entry.value as T;
}

/** The value, or `fallback` when the codec rejects the input with one of its typed errors. */
function unlessInvalid<T>(compute: () => T, fallback: T): T {
  try {
    return compute();
  } catch (error) {
    if (error instanceof WalrusSpecError) return fallback;
    throw error;
  }
}

// --- storing ---

/** Stores a sliver as its `SliverData` bytes. */
export function putSliver(sliver: Sliver): ByteRef {
  return putBytes(encodeSliver(sliver));
}

/** Stores a recovery symbol as its `GeneralRecoverySymbol` bytes. */
export function putRecoverySymbol(symbol: RecoverySymbol): ByteRef {
  return putBytes(encodeRecoverySymbol(symbol));
}

/** The pair that `shard` stores for this blob (walrus-core `SliverPairIndex` rotation). */
export function pairOfShard(blobId: BlobIdText, shard: number, nShards: number): number {
  return pairForShard(blobIdFromString(blobId), shard, nShards);
}

// --- metadata ---

/**
 * The metadata under `ref` (`BlobMetadataWithId` bytes), verified against `blobId` and `nShards`.
 * Throws the codec's typed errors: unknown reference, malformed BCS, or metadata that does not
 * verify (another blob ID, or not hashing to its own).
 */
export function loadMetadata(ref: ByteRef, blobId: BlobIdText, nShards: number): VerifiedMetadata {
  return memo("loadMetadata", `${ref}|${blobId}|${nShards}`, () => {
    const withId = decodeMetadataWithId(getBytes(ref));
    if (blobIdToString(withId.blobId) !== blobId) {
      throw new InvalidMetadataError(`metadata of blob ${blobIdToString(withId.blobId)}, expected ${blobId}`);
    }
    return verifyMetadata(withId, nShards);
  });
}

/** Whether `ref` is metadata that verifies against `blobId` (guard `metadataMatchesBlobId`). */
export function metadataMatchesBlobId(ref: ByteRef | null, blobId: BlobIdText, nShards: number): boolean {
  if (ref === null) return false;
  return unlessInvalid(() => loadMetadata(ref, blobId, nShards) !== undefined, false);
}

// --- slivers ---

/**
 * The sliver under `sliverRef` on `axis`, verified against the metadata under `metadataRef`; with
 * `index`, it must also be sliver `index`. Throws the codec's typed errors.
 */
export function loadSliver(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  sliverRef: ByteRef,
  axis: Axis,
  index?: number,
): Sliver {
  return memo("loadSliver", `${metadataRef}|${blobId}|${nShards}|${sliverRef}|${axis}|${index}`, () => {
    const meta = loadMetadata(metadataRef, blobId, nShards);
    const sliver = decodeSliver(getBytes(sliverRef), axis);
    if (index !== undefined && sliver.index !== index) {
      throw new InvalidMetadataError(`${axis} sliver ${sliver.index} where sliver ${index} was expected`);
    }
    verifySliver(meta, sliver);
    return sliver;
  });
}

/** Whether a sliver verifies against the metadata (guard `sliverMatchesMetadata`). */
export function sliverMatchesMetadata(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  sliverRef: ByteRef,
  axis: Axis,
  index?: number,
): boolean {
  return unlessInvalid(() => loadSliver(metadataRef, blobId, nShards, sliverRef, axis, index) !== undefined, false);
}

// --- recovery ---

/**
 * The recovery symbols that slivers `sources` (all on the axis orthogonal to `target`) give for
 * slivers `targets` of axis `target`: one per (source, target), each with its Merkle proof.
 */
export function recoverySymbolsFor(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  sources: readonly ByteRef[],
  target: Axis,
  targets: readonly number[],
): ByteRef[] {
  return memo("recoverySymbolsFor", `${metadataRef}|${blobId}|${sources}|${target}|${targets}`, () => {
    const meta = loadMetadata(metadataRef, blobId, nShards);
    return sources.flatMap((ref) => {
      const source = memo(
        "symbolSource",
        `${ref}|${orthogonal(target)}|${nShards}`,
        () => new RecoverySymbolSource(meta.params, decodeSliver(getBytes(ref), orthogonal(target))),
      );
      return targets.map((t) => putRecoverySymbol(source.symbolFor(t)));
    });
  });
}

/** A recovery symbol under `ref`, checked against the metadata (its proof included). Throws typed errors. */
export function loadRecoverySymbol(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  ref: ByteRef,
): RecoverySymbol {
  return memo("loadRecoverySymbol", `${metadataRef}|${blobId}|${nShards}|${ref}`, () => {
    const symbol = decodeRecoverySymbol(getBytes(ref));
    verifyRecoverySymbol(loadMetadata(metadataRef, blobId, nShards), symbol);
    return symbol;
  });
}

/** Whether a recovery symbol verifies against the metadata, its Merkle proof included, whatever its target. */
export function symbolVerifies(metadataRef: ByteRef, blobId: BlobIdText, nShards: number, ref: ByteRef): boolean {
  return unlessInvalid(() => loadRecoverySymbol(metadataRef, blobId, nShards, ref) !== undefined, false);
}

/**
 * Whether the symbols under `refs` are exactly the challenged cells `expected`, in that order, each
 * opening against the metadata (the receiver's check of spec/challenge-symbols.ts).
 */
export function challengedSymbolsVerify(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  expected: readonly SharedSymbol[],
  refs: readonly ByteRef[],
): boolean {
  const cells = expected.map((e) => `${e.source}${e.sourceIndex}:${e.targetIndex}`).join();
  return memo("challengedSymbolsVerify", `${metadataRef}|${blobId}|${nShards}|${cells}|${refs}`, () =>
    unlessInvalid(() => {
      if (refs.length !== expected.length) return false;
      const meta = loadMetadata(metadataRef, blobId, nShards);
      refs.forEach((ref, i) => {
        verifyChallengedSymbol(meta, expected[i] as SharedSymbol, decodeRecoverySymbol(getBytes(ref)));
      });
      return true;
    }, false),
  );
}

/** Whether a recovery symbol for sliver `targetIndex` of `target` verifies (guard `symbolMatchesMetadata`). */
export function symbolMatchesMetadata(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  ref: ByteRef,
  target: Axis,
  targetIndex: number,
): boolean {
  return unlessInvalid(() => {
    const symbol = loadRecoverySymbol(metadataRef, blobId, nShards, ref);
    return symbol.target === target && symbol.targetIndex === targetIndex;
  }, false);
}

/** What recovering one sliver from the symbols at hand gives. */
export type RecoveryOutcome =
  | { readonly kind: "recovered"; readonly sliver: ByteRef }
  | { readonly kind: "inconsistent"; readonly proof: ByteRef }
  | { readonly kind: "notEnoughSymbols"; readonly have: number; readonly need: number };

/**
 * Recovers sliver `targetIndex` of `target` from the symbols under `symbols` (invalid ones and
 * repeated sources are skipped): the sliver, an inconsistency proof (`InconsistencyProof` bytes)
 * when the decoded sliver contradicts the metadata, or how many valid symbols are missing.
 */
export function recoverFromSymbols(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  target: Axis,
  targetIndex: number,
  symbols: readonly ByteRef[],
): RecoveryOutcome {
  return memo("recoverFromSymbols", `${metadataRef}|${blobId}|${nShards}|${target}|${targetIndex}|${symbols}`, () => {
    const meta = loadMetadata(metadataRef, blobId, nShards);
    const valid = symbols.flatMap((ref) =>
      symbolMatchesMetadata(metadataRef, blobId, nShards, ref, target, targetIndex)
        ? [loadRecoverySymbol(metadataRef, blobId, nShards, ref)]
        : [],
    );
    const need = recoveryThreshold(meta.params, target);
    const sources = new Set(valid.map((symbol) => symbol.sourceIndex)).size;
    if (sources < need) return { kind: "notEnoughSymbols", have: sources, need };
    const result = recoverSliver(meta, target, targetIndex, valid);
    return result.kind === "recovered"
      ? { kind: "recovered", sliver: putSliver(result.sliver) }
      : { kind: "inconsistent", proof: putBytes(encodeInconsistencyProof(result.proof)) };
  });
}

/**
 * Whether the `InconsistencyProof` bytes under `proof` prove that sliver axis `axis` of the blob
 * contradicts the metadata (walrus-core `InconsistencyProof::verify`): false for anything else,
 * bad bytes included.
 */
export function inconsistencyProofIsValid(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  axis: Axis,
  proof: ByteRef,
): boolean {
  return unlessInvalid(
    () =>
      memo("inconsistencyProofIsValid", `${metadataRef}|${blobId}|${nShards}|${axis}|${proof}`, () =>
        verifyInconsistencyProof(
          loadMetadata(metadataRef, blobId, nShards),
          decodeInconsistencyProof(getBytes(proof), axis),
        ),
      ),
    false,
  );
}

// --- reading ---

/** What a reader gets from the slivers at hand. */
export type ReadOutcome =
  | { readonly kind: "decoded"; readonly blob: ByteRef }
  | { readonly kind: "inconsistent"; readonly detail: string }
  | { readonly kind: "notEnoughSlivers"; readonly have: number; readonly need: number };

/**
 * Decodes the blob from the slivers of `axis` under `slivers` (each verified against the metadata;
 * invalid ones and repeated indices are skipped) and runs the consistency check: the blob, the
 * finding that the encoding is inconsistent (the reader returns ⊥), or how many are missing.
 */
export function readBlob(
  metadataRef: ByteRef,
  blobId: BlobIdText,
  nShards: number,
  axis: Axis,
  slivers: readonly ByteRef[],
  consistency: Exclude<ConsistencyCheck, "skip">,
): ReadOutcome {
  return memo("readBlob", `${metadataRef}|${blobId}|${nShards}|${axis}|${slivers}|${consistency}`, () => {
    const meta = loadMetadata(metadataRef, blobId, nShards);
    const valid = slivers.flatMap((ref) =>
      sliverMatchesMetadata(metadataRef, blobId, nShards, ref, axis)
        ? [loadSliver(metadataRef, blobId, nShards, ref, axis)]
        : [],
    );
    const need = axis === "primary" ? meta.params.primarySourceSymbols : meta.params.secondarySourceSymbols;
    const have = new Set(valid.map((sliver) => sliver.index)).size;
    if (have < need) return { kind: "notEnoughSlivers", have, need };
    const result = decodeBlob(
      meta,
      valid.filter((sliver) => sliver.axis === axis),
      { consistency, sliversVerified: true },
    );
    return result.kind === "decoded"
      ? { kind: "decoded", blob: putBytes(result.blob) }
      : { kind: "inconsistent", detail: result.detail };
  });
}

/**
 * The slivers of `axis` at `indices` of the blob under `blob`, encoded again with the codec: what a
 * node that read the blob back can store as its own (a blob encodes to the same slivers every time).
 */
export function reencodedSlivers(blob: ByteRef, nShards: number, axis: Axis, indices: readonly number[]): ByteRef[] {
  return memo("reencodedSlivers", `${blob}|${nShards}|${axis}|${indices}`, () => {
    const encoded = encodeBlob(getBytes(blob), nShards);
    const slivers = axis === "primary" ? encoded.primarySlivers : encoded.secondarySlivers;
    return indices.map((index) => putSliver(slivers[index]));
  });
}

// --- the chain's check ---

/**
 * Whether `blobId` is the ID that `rootHash` (64 hex digits) and `size` derive (Move
 * `blob.move::derive_blob_id`, checked again at registration).
 */
export function blobIdDerivesFromRootHash(blobId: BlobIdText, size: number, rootHash: string): boolean {
  if (!/^[0-9a-f]{64}$/.test(rootHash) || !Number.isSafeInteger(size) || size < 0) return false;
  return unlessInvalid(
    () => blobIdToString(deriveBlobId(Uint8Array.from(Buffer.from(rootHash, "hex")), size)) === blobId,
    false,
  );
}
