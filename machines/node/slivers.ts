/**
 * What a storage node does with one blob's bytes, written once for every region of the node: check
 * and keep metadata and slivers, answer reads and recovery requests from what it holds, ask for
 * recovery symbols, and rebuild a missing sliver from the symbols it received (paper §4, sliver
 * healing). Pure functions over {@link BlobSlivers}; the regions decide when to call them.
 *
 * A node keeps the slivers of a blob by shard (a shard stores one sliver pair of each blob, at the
 * pair `pairOfShard` gives), both axes, each checked against the blob's metadata before it is kept
 * (`store_sliver`). The metadata is the first that matches the blob ID (`store_metadata`).
 *
 * Recovery (`node/blob_sync.rs`, `RecoverSliver`): the node asks the other members for the
 * recovery symbols of its missing slivers on both axes; each symbol is checked against the
 * metadata when it arrives and dropped if it does not verify. A missing sliver of one axis is
 * rebuilt from the symbols of the other axis's slivers: those received, and the node's own (a
 * sliver it holds of the orthogonal axis gives one symbol of each sliver of this one). Secondary
 * slivers need n − 2f symbols, primary ones n − f (`recoverFromSymbols`); the region that heals
 * rebuilds secondary slivers first, so that they give their symbols to the primary ones.
 */

import { type Axis, orthogonal, sliverIndexOf } from "../../spec/codec/slivers.js";
import type {
  ActorName,
  BlobIdText,
  ReadRequest,
  RecoverySymbolRequest,
  StoreSliverPairs,
} from "../../spec/messages.js";
import type { ByteRef } from "../../spec/store.js";
import {
  type RecoveryOutcome,
  metadataMatchesBlobId,
  pairOfShard,
  recoverFromSymbols,
  recoverySymbolsFor,
  sliverMatchesMetadata,
  symbolVerifies,
} from "../codec.js";

/** The sliver pair a shard stores of a blob: each axis, once it is stored. */
export interface SliverSlot {
  readonly shard: number;
  readonly primary: ByteRef | null;
  readonly secondary: ByteRef | null;
}

/** A blob's bytes at a node: its verified metadata and the slivers of the shards it stores, by shard. */
export interface BlobSlivers {
  readonly blobId: BlobIdText;
  /** Verified metadata (`BlobMetadataWithId` bytes), once the node has it. */
  readonly metadata: ByteRef | null;
  /** One slot per shard the node stores the blob for, by ascending shard. */
  readonly slivers: readonly SliverSlot[];
}

/** An empty slot for each of `shards`. */
export const emptySlots = (shards: readonly number[]): SliverSlot[] =>
  [...shards].sort((a, b) => a - b).map((shard) => ({ shard, primary: null, secondary: null }));

/** The index of the sliver of `axis` that `shard` stores of the blob. */
export const sliverIndexAt = (blobId: BlobIdText, shard: number, axis: Axis, n: number): number =>
  sliverIndexOf(axis, pairOfShard(blobId, shard, n), n);

/** The slivers of `axis` the node holds of the blob, any shard. */
export const heldSlivers = (blob: BlobSlivers, axis: Axis): ByteRef[] =>
  blob.slivers.flatMap((slot) => (slot[axis] === null ? [] : [slot[axis] as ByteRef]));

/** Whether every slot holds its sliver of `axis`. */
export const holdsAxis = (blob: BlobSlivers, axis: Axis): boolean => blob.slivers.every((slot) => slot[axis] !== null);

/** Whether every slot holds both slivers. */
export const holdsEverything = (blob: BlobSlivers): boolean =>
  holdsAxis(blob, "primary") && holdsAxis(blob, "secondary");

/** Whether the slots of `shards` hold their slivers of `axis`. */
export const holdsAxisIn = (blob: BlobSlivers, axis: Axis, shards: readonly number[]): boolean =>
  blob.slivers.every((slot) => !shards.includes(slot.shard) || slot[axis] !== null);

/** The sliver indices of `axis` the slots of `shards` store no sliver for. */
export const missingIndices = (blob: BlobSlivers, axis: Axis, n: number, shards: readonly number[]): number[] =>
  blob.slivers.flatMap((slot) =>
    slot[axis] === null && shards.includes(slot.shard) ? [sliverIndexAt(blob.blobId, slot.shard, axis, n)] : [],
  );

// --- storing ---

/** The blob with `metadata` kept, if it has none yet and this one matches the blob ID. */
export const withMetadata = (blob: BlobSlivers, metadata: ByteRef | null, n: number): BlobSlivers =>
  blob.metadata === null && metadata !== null && metadataMatchesBlobId(metadata, blob.blobId, n)
    ? { ...blob, metadata }
    : blob;

/** The blob with `sliver` kept in the shard's slot, if the slot lacks it and it verifies against the metadata. */
export function withSliver(blob: BlobSlivers, shard: number, axis: Axis, sliver: ByteRef, n: number): BlobSlivers {
  const slot = blob.slivers.find((s) => s.shard === shard);
  if (slot === undefined || slot[axis] !== null || blob.metadata === null) return blob;
  if (!sliverMatchesMetadata(blob.metadata, blob.blobId, n, sliver, axis, sliverIndexAt(blob.blobId, shard, axis, n))) {
    return blob;
  }
  return { ...blob, slivers: blob.slivers.map((s) => (s === slot ? { ...slot, [axis]: sliver } : s)) };
}

/**
 * The blob with what an upload brings: the metadata if it matches and the node has none, then each
 * sliver offered for the pair of a shard of `shards` (those that take writes) that verifies
 * against the metadata the node holds.
 */
export function withUpload(
  blob: BlobSlivers,
  upload: StoreSliverPairs,
  n: number,
  shards: readonly number[],
): BlobSlivers {
  let result = withMetadata(blob, upload.metadata, n);
  for (const slot of result.slivers) {
    if (!shards.includes(slot.shard)) continue;
    const offered = upload.pairs.find((p) => p.pair === pairOfShard(blob.blobId, slot.shard, n));
    if (offered === undefined) continue;
    result = withSliver(result, slot.shard, "primary", offered.primary, n);
    result = withSliver(result, slot.shard, "secondary", offered.secondary, n);
  }
  return result;
}

// --- serving ---

/**
 * The axes of a recovery request the node can answer: those whose symbols come from slivers of the
 * orthogonal axis it holds in every slot (so that, as in the paper, a node that rebuilt its
 * secondary slivers then helps the others rebuild their primary ones).
 */
export const servableAxes = (blob: BlobSlivers, request: RecoverySymbolRequest): Axis[] =>
  (["primary", "secondary"] as const).filter((axis) => request[axis].length > 0 && holdsAxis(blob, orthogonal(axis)));

/**
 * The recovery symbols of the request's axes `axes`, from the slivers the node holds (also the
 * storage challenge's symbols: those of another node's secondary slivers, `challenge.ts`).
 */
export function recoverySymbolsOf(
  blob: BlobSlivers,
  request: Pick<RecoverySymbolRequest, Axis>,
  axes: readonly Axis[],
  n: number,
) {
  const metadata = blob.metadata as ByteRef;
  return axes.flatMap((axis) =>
    recoverySymbolsFor(metadata, blob.blobId, n, heldSlivers(blob, orthogonal(axis)), axis, request[axis]),
  );
}

/** The read response's payload for the node's slivers of the axis asked. */
export const readAnswer = (blob: BlobSlivers, request: ReadRequest) => ({
  metadata: blob.metadata,
  slivers: heldSlivers(blob, request.axis),
});

// --- recovering ---

/** The recovery request to `to` for the slivers the slots of `shards` miss, on both axes. */
export const recoveryRequest = (
  blob: BlobSlivers,
  from: ActorName,
  to: ActorName,
  n: number,
  shards: readonly number[],
) => ({
  to,
  type: "RecoverySymbolRequest" as const,
  from,
  blobId: blob.blobId,
  primary: missingIndices(blob, "primary", n, shards),
  secondary: missingIndices(blob, "secondary", n, shards),
});

/**
 * The symbols received, with those of a response that verify against the metadata (the response's
 * metadata is taken first if the node has none): a sorted set, so that the order responses came
 * in does not make distinct states.
 */
export function withSymbols(
  blob: BlobSlivers,
  symbols: readonly ByteRef[],
  response: { readonly metadata: ByteRef | null; readonly symbols: readonly ByteRef[] | null },
  n: number,
): { blob: BlobSlivers; symbols: ByteRef[] } {
  const known = withMetadata(blob, response.metadata, n);
  const metadata = known.metadata;
  const verified =
    metadata === null ? [] : (response.symbols ?? []).filter((ref) => symbolVerifies(metadata, blob.blobId, n, ref));
  return { blob: known, symbols: [...new Set([...symbols, ...verified])].sort() };
}

/** What rebuilding each sliver of `axis` the slots of `shards` miss gives, from the symbols received and the node's own. */
export function recoveries(
  blob: BlobSlivers,
  axis: Axis,
  symbols: readonly ByteRef[],
  n: number,
  shards: readonly number[],
): { shard: number; outcome: RecoveryOutcome }[] {
  const metadata = blob.metadata;
  if (metadata === null) return [];
  const own = heldSlivers(blob, orthogonal(axis));
  return blob.slivers
    .filter((slot) => slot[axis] === null && shards.includes(slot.shard))
    .map((slot) => {
      const index = sliverIndexAt(blob.blobId, slot.shard, axis, n);
      const mine = recoverySymbolsFor(metadata, blob.blobId, n, own, axis, [index]);
      return {
        shard: slot.shard,
        outcome: recoverFromSymbols(metadata, blob.blobId, n, axis, index, [...symbols, ...mine]),
      };
    });
}

/** Whether every missing sliver of `axis` in `shards` is rebuilt or proven inconsistent with the symbols at hand. */
export const symbolsSuffice = (
  blob: BlobSlivers,
  axis: Axis,
  symbols: readonly ByteRef[],
  n: number,
  shards: readonly number[],
): boolean =>
  blob.metadata !== null &&
  recoveries(blob, axis, symbols, n, shards).every((r) => r.outcome.kind !== "notEnoughSymbols");

/**
 * The blob with the slivers of `axis` in `shards` the symbols rebuild, and the inconsistency proof they give
 * instead when a rebuilt sliver contradicts the metadata (paper §3.3).
 */
export function recovered(
  blob: BlobSlivers,
  axis: Axis,
  symbols: readonly ByteRef[],
  n: number,
  shards: readonly number[],
): { blob: BlobSlivers; proof: ByteRef | null } {
  let result = blob;
  let proof: ByteRef | null = null;
  for (const { shard, outcome } of recoveries(blob, axis, symbols, n, shards)) {
    if (outcome.kind === "recovered") result = withSliver(result, shard, axis, outcome.sliver, n);
    if (outcome.kind === "inconsistent" && proof === null) proof = outcome.proof;
  }
  return { blob: result, proof };
}
