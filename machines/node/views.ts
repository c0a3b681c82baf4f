/**
 * What properties read of a storage node: typed views of a snapshot of any of its variants, so
 * that no property reads the machine through casts or state names.
 */

import type { BlobIdText } from "../../spec/messages.js";
import { challengedOf, challengedOfAny } from "./challenge-context.js";
import { type ChainStatus, statusOf } from "./blob-info.js";
import type { BlobAtNode, ShardAtNode, StorageNodeContext } from "./context.js";
import { holdsInShard } from "./shards.js";
import { type SliverSlot, holdsEverything } from "./slivers.js";
import type { NodeStatusKind } from "./status.js";

/** What properties read of the node about one blob. */
export interface BlobView {
  /** What the node knows of the blob on chain. */
  readonly chainStatus: ChainStatus;
  /** The blob's storage state (`awaitingSlivers`, `recovering`, `stored`, `inconsistencyDetected`, `deleted`). */
  readonly storage: string;
  /** The node's slivers of the blob, by shard. */
  readonly slivers: readonly SliverSlot[];
  /** Whether it stores both slivers of every shard. */
  readonly storesEverything: boolean;
  /** Whether it stores no sliver at all. */
  readonly storesNothing: boolean;
  /** The writer that uploaded to it, if one did. */
  readonly uploader: string | null;
  /** Whether it found an inconsistency proof, or attested another node's. */
  readonly foundInconsistency: boolean;
  readonly attested: boolean;
}

/** The node's view of blob `blob` (default its first), from a snapshot of a `storageNode` machine. */
export function blobView(snapshot: { readonly value: unknown; readonly context: unknown }, blob = 0): BlobView {
  const context = snapshot.context as StorageNodeContext;
  const at = context.blobs[blob] as BlobAtNode;
  const state = (snapshot.value as Record<string, unknown>)[`blob${blob}`];
  const slots = at.slivers;
  return {
    chainStatus: statusOf(at.record),
    storage: typeof state === "string" ? state : (Object.keys(state as object)[0] ?? ""),
    slivers: slots,
    storesEverything: holdsEverything(at),
    storesNothing: slots.every((slot) => slot.primary === null && slot.secondary === null),
    uploader: at.uploader,
    foundInconsistency: at.inconsistency !== null,
    attested: at.attested,
  };
}

/** What properties read of the node as a whole: its epoch, its status, its shards and its blobs. */
export interface NodeView {
  /** The epoch of its current committee. */
  readonly epoch: number;
  /** The last epoch for which it called `epoch_sync_done`. */
  readonly attestedEpoch: number;
  /** Its `NodeStatus` (`Active` for a node built without epochs). */
  readonly status: NodeStatusKind;
  readonly shards: readonly ShardAtNode[];
  /** Its blobs (what it knows of each on chain: `statusOf` and `certifiedEpochOf` of its `record`). */
  readonly blobs: readonly BlobAtNode[];
  /** Whether it holds both slivers of the blob in the shard. */
  readonly holds: (blobId: string, shard: number) => boolean;
}

/** The node's view, from a snapshot of a `storageNode` machine. */
export function nodeView(snapshot: { readonly value: unknown; readonly context: unknown }): NodeView {
  const context = snapshot.context as StorageNodeContext;
  const status = (snapshot.value as { status?: NodeStatusKind }).status ?? "Active";
  return {
    epoch: context.committee.epoch,
    attestedEpoch: context.attestedEpoch,
    status,
    shards: context.shards,
    blobs: context.blobs,
    holds: (blobId, shard) => {
      const blob = context.blobs.find((b) => b.blobId === blobId);
      return blob !== undefined && holdsInShard(blob, shard);
    },
  };
}

/**
 * What properties read of a node built with the storage challenge: plain data, read in every state
 * the checker meets.
 */
export interface ChallengeView {
  /** The challenge region's mode: before the start, in challenge mode, after the end (as processed here). */
  readonly mode: "idle" | "challenged" | "ended";
  /** Whether it withholds the challenged blobs' reads and recovery now. */
  readonly withholding: boolean;
  /** The blobs challenged of the node itself (none before the start). */
  readonly ownChallenged: readonly BlobIdText[];
  /** The blobs it threw away (a `deleted` node). */
  readonly deletedBlobs: readonly BlobIdText[];
  /** The blobs it answered a read or recovery request for in challenge mode. */
  readonly answeredInChallenge: readonly BlobIdText[];
  /** Whether one of those is challenged of some node. */
  readonly servedChallenged: boolean;
}

/** The challenge's view, from a snapshot of a `storageNode` machine built with `challenge`. */
export function challengeView(snapshot: { readonly value: unknown; readonly context: unknown }): ChallengeView {
  const context = snapshot.context as StorageNodeContext;
  const challenge = context.challenge;
  if (challenge === undefined) throw new TypeError("challengeView: a node built without the challenge region");
  const { mode } = (snapshot.value as { challenge: { mode: ChallengeView["mode"] } }).challenge;
  return {
    mode,
    withholding: challenge.withholding,
    ownChallenged: challengedOf(challenge, context.name),
    deletedBlobs: challenge.deletedBlobs,
    answeredInChallenge: challenge.answeredInChallenge,
    servedChallenged: challenge.answeredInChallenge.some((blobId) => challengedOfAny(challenge, blobId)),
  };
}
