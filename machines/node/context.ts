/**
 * What the storage node knows and holds, and every event it takes: the types the regions of
 * `machines/node/` share. The node holds the state of every blob it is told about, by position
 * (the order of its input's `blobIds`): the regions of blob i read and write `blobs[i]`; and the
 * state of every shard it stores (owned, being filled, or locked after it moved away).
 */

import type { Axis } from "../../spec/codec/slivers.js";
import {
  type ActorName,
  type BlobCertified,
  type BlobDeleted,
  type BlobIdText,
  type BlobRegistered,
  type ChainEvent,
  type ChallengeAck,
  type ChallengeEnd,
  type ChallengeSignature,
  type ChallengeStart,
  type ChallengeSymbols,
  type EpochChangeDone,
  type EpochChangeStart,
  type EpochEvent,
  type EpochParametersSelected,
  type InvalidBlobAttestation,
  type InvalidBlobID,
  type ObjectIdText,
  type ProtocolMessage,
  type ReadRequest,
  type ReadResponse,
  type RecoverySymbolRequest,
  type RecoverySymbolResponse,
  type ShardSyncRequest,
  type ShardSyncResponse,
  type ShardsReceived,
  type StoreSliverPairs,
  type VerifyInconsistencyProof,
  isMessage,
} from "../../spec/messages.js";
import type { ByteRef } from "../../spec/store.js";
import type { ActionFunction } from "xstate";
import { type Addressed, type Committee, memberOf } from "../committee.js";
import type { ChallengeAtNode, ChallengeInput } from "./challenge-context.js";
import { type BlobRecord, certifiedEpochOf } from "./blob-info.js";
import type { BlobSlivers } from "./slivers.js";
import type { NodeStatusDetail, NodeStatusEvent } from "./status.js";

/** Who the node is, its committees, and the blobs it follows. */
export interface StorageNodeInput {
  readonly name: ActorName;
  /** The committee of the epoch the node starts in (its shards, owned from the start). */
  readonly committee: Committee;
  /**
   * The committee of every epoch the model runs through, `committee` first (a node built with
   * `epochs` follows the changes between them). Default: `committee` alone.
   */
  readonly committees?: readonly Committee[];
  /** The blobs whose life at this node the machine follows, one region each, in this order. */
  readonly blobIds: readonly BlobIdText[];
  /**
   * Blobs certified before the model starts, with what the node holds of them (a blob of
   * `blobIds`; its slivers in the node's shards of `committee`).
   */
  readonly stored?: readonly StoredBlob[];
  /**
   * Attestations the node collects before `invalidate_blob_id`: `validity`, what the contract
   * takes (3w ≥ n + 1: the paper's f + 1, one shard more when 3 divides n), or `quorum`, 2f + 1 (the
   * implementation's `GetInvalidBlobCertificate`, which waits for `min_n_correct`). Default
   * `validity`.
   */
  readonly invalidationAttestations?: "validity" | "quorum";
  /**
   * When the node deletes the data of a blob ID no live object registers any more: `atEpochStart`,
   * at the garbage collection of the next epoch's start (the implementation's default since walrus
   * PR #3160), or `immediate`, as it processes the `BlobDeleted` that leaves none
   * (`enable_immediate_data_deletion`, the default before). Default `atEpochStart`.
   */
  readonly dataDeletion?: "atEpochStart" | "immediate";
  /**
   * When the node calls `epoch_sync_done` (`epochs.ts`): `allShardsActive`, once it holds its
   * shards (the paper), or `noTaskRunning`, once no sync or recovery task runs (the
   * implementation's finisher, WAL-1271). Default `allShardsActive`.
   */
  readonly attestWhen?: "allShardsActive" | "noTaskRunning";
  /** With the challenge region: whether the node kept its slivers, and how it rebuilds them if not (`challenge.ts`). */
  readonly challenge?: ChallengeInput;
}

/** A blob certified before the model starts: its metadata and the slivers the node holds, by shard. */
export interface StoredBlob {
  readonly blobId: BlobIdText;
  readonly certifiedEpoch: number;
  readonly metadata: ByteRef | null;
  readonly slivers: readonly { readonly shard: number; readonly primary: ByteRef; readonly secondary: ByteRef }[];
}

/** A request held until the node can answer it (a recovery request: the axes not yet answered). */
export type HeldRequest = ReadRequest | RecoverySymbolRequest | VerifyInconsistencyProof | ShardSyncRequest;

/** An inconsistency proof the node found: the axis of the sliver and the `InconsistencyProof` bytes. */
export interface FoundInconsistency {
  readonly axis: Axis;
  readonly proof: ByteRef;
}

/** What the node knows and holds of one blob, beside its bytes. */
export interface BlobAtNode extends BlobSlivers {
  /** What the chain's events said of the blob ID: its `BlobInfo` and its objects (`blob-info.ts`). */
  readonly record: BlobRecord;
  // storing
  /** An upload that arrived before the registration (`pending_metadata_cache`, `pending_sliver_cache`). */
  readonly pendingUpload: StoreSliverPairs | null;
  /** The writer to confirm to, and the epoch of the last confirmation that went out. */
  readonly uploader: ActorName | null;
  /** The confirmation the upload asked for: of that deletable object, or (null) of a permanent blob. */
  readonly confirmFor: ObjectIdText | null;
  readonly confirmedEpoch: number | null;
  // healing
  /** Recovery symbols received while recovering (each verified on arrival), sorted. */
  readonly symbols: readonly ByteRef[];
  // invalidation
  /** An inconsistency proof found while recovering. */
  readonly inconsistency: FoundInconsistency | null;
  /** Nodes that attest the blob ID invalid (this one first), and whether the invalidation went to the chain. */
  readonly attestations: readonly ActorName[];
  readonly invalidationSubmitted: boolean;
  /** Whether the node signed an `InvalidBlobIdMsg` for another node's proof (encoding protection watches it). */
  readonly attested: boolean;
}

/** What a node knows of a blob's write before any upload: who uploaded, its confirmation, its healing and proofs. */
export const NO_WRITE_YET = {
  uploader: null,
  confirmFor: null,
  confirmedEpoch: null,
  symbols: [],
  inconsistency: null,
  attestations: [],
  invalidationSubmitted: false,
} as const satisfies Partial<BlobAtNode>;

/** A shard's status at the node that stores it, as `ShardStatus` of the implementation (`shards.ts`). */
export type ShardStatus = "None" | "Active" | "ActiveSync" | "ActiveRecover" | "LockedToMove";

/** A shard the node stores, and the transfer that fills it. */
export interface ShardAtNode {
  readonly shard: number;
  /** Its state in the shard's region, recorded on entry (the region's chart is the status). */
  readonly status: ShardStatus;
  /** The epoch whose change created the shard: blobs certified before it come by shard sync. */
  readonly since: number;
  /** The axis of the transfer awaited from the previous owner; `null`: no transfer running. */
  readonly syncing: Axis | null;
  /** The previous owner, while a transfer may run. */
  readonly source: ActorName | null;
  /** The epoch in which its sync and recovery failed for good (nothing fills it any more), or null. */
  readonly failedIn: number | null;
}

/** The node's input with what it holds and has processed. */
export interface StorageNodeContext extends Required<Omit<StorageNodeInput, "stored" | "challenge">>, NodeStatusDetail {
  // epochs (the committee is the current epoch's)
  /** Whether `EpochChangeDone` for the current epoch is processed: older blobs are then served by this committee. */
  readonly changeDone: boolean;
  /** The last epoch for which the node called `epoch_sync_done`. */
  readonly attestedEpoch: number;
  /** The shards this node stores, ascending. */
  readonly shards: readonly ShardAtNode[];
  // chain-event cursor
  /** Sequence number of the next chain event to process. */
  readonly nextSeq: number;
  /** Chain events that arrived before their turn, by sequence number. */
  readonly early: readonly NodeChainEvent[];
  // serving
  /** Requests the node cannot answer yet, sorted. */
  readonly held: readonly HeldRequest[];
  // blobs
  /** One per blob of `blobIds`, in that order. */
  readonly blobs: readonly BlobAtNode[];
  // the storage challenge (only a node built with `challenge` has it)
  readonly challenge?: ChallengeAtNode;
}

/** The chain events of a node's stream: about blobs, about epochs, and the storage challenge's notices. */
export type NodeChainEvent = ChainEvent | EpochEvent | ChallengeStart | ChallengeEnd;

/**
 * A chain event taken in chain order: the cursor raises it, under the name `chain.<event>`, for the
 * regions that act on it (only the cursor knows sequence numbers).
 */
export type InOrder<E extends NodeChainEvent> = Omit<E, "type"> & { readonly type: `chain.${E["type"]}` };

/** The chain events in chain order, as the regions receive them. */
export type ChainEventInOrder =
  | InOrder<BlobRegistered>
  | InOrder<BlobCertified>
  | InOrder<BlobDeleted>
  | InOrder<InvalidBlobID>
  | InOrder<EpochChangeStart>
  | InOrder<EpochChangeDone>
  | InOrder<EpochParametersSelected>
  | InOrder<ShardsReceived>
  | InOrder<ChallengeStart>
  | InOrder<ChallengeEnd>;

/** environment → node: the transfers under way give up (no progress for long, or a non-retryable error). */
export interface ShardSyncTimeout {
  readonly type: "ShardSyncTimeout";
}

/** environment → node: the sync and recovery tasks of the shards being filled fail for good. */
export interface ShardSyncFails {
  readonly type: "ShardSyncFails";
}

/** restart → node: a shard in recovery tries the transfer from its previous owner again. */
export interface RestartShardSync {
  readonly type: "RestartShardSync";
}

/** Every event the node takes: chain events, the writer's upload, readers' and nodes' messages, and its own raised events. */
export type StorageNodeEvent =
  | NodeChainEvent
  | ChainEventInOrder
  | StoreSliverPairs
  | ReadRequest
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | VerifyInconsistencyProof
  | InvalidBlobAttestation
  | ShardSyncRequest
  | ShardSyncResponse
  | ShardSyncTimeout
  | ShardSyncFails
  | RestartShardSync
  | NodeStatusEvent
  | ChallengeAck
  | ChallengeSymbols
  | ChallengeSignature
  | ReadResponse;

/** The parameters of a blob's guards and actions: the blob's position in the node's `blobs`. */
export interface BlobParams {
  readonly blob: number;
}

/** The blob a blob region's guard or action is about. */
export const blobAt = (context: StorageNodeContext, params: BlobParams): BlobAtNode =>
  context.blobs[params.blob] as BlobAtNode;

/** The context with blob `params.blob` changed. */
export const withBlobAt = (
  context: StorageNodeContext,
  params: BlobParams,
  change: Partial<BlobAtNode>,
): { blobs: BlobAtNode[] } => ({
  blobs: context.blobs.map((blob, i) => (i === params.blob ? { ...blob, ...change } : blob)),
});

/** Shards in the node's committee (its n). */
export const nOf = (context: StorageNodeContext): number => context.committee.nShards;

/** The committee of `epoch`, if the node knows it. */
export const committeeOf = (context: StorageNodeContext, epoch: number): Committee | undefined =>
  context.committees.find((committee) => committee.epoch === epoch);

/** A shard the node owns in its current epoch (a locked one has moved away). */
export const isOwned = (status: ShardStatus): boolean =>
  status === "Active" || status === "ActiveSync" || status === "ActiveRecover";

/** The shards the node owns in its current epoch. */
export const ownedShards = (context: StorageNodeContext): ShardAtNode[] =>
  context.shards.filter((shard) => isOwned(shard.status));

/**
 * Blobs a shard sync into `epoch` moves, and whose metadata a new member of `epoch` fetches:
 * certified before the epoch, and not invalidated as far as the node knows (an invalid blob ID's
 * data is deleted, not moved: `certified_blob_info_iter_before_epoch`).
 */
export const movedBy = (blob: BlobAtNode, epoch: number): boolean => {
  // An invalid blob ID has no certification epoch.
  const certified = certifiedEpochOf(blob.record);
  return certified !== null && certified < epoch;
};

/** The committees before and after the change a `chain.EpochChangeStart` makes, if the node knows the new one. */
export function changeAt({ context, event }: GuardArgs): { previous: Committee; next: Committee } | undefined {
  if (event.type !== "chain.EpochChangeStart") return undefined;
  const next = committeeOf(context, event.epoch);
  return next === undefined ? undefined : { previous: context.committee, next };
}

/** Whether the node is still in the epoch of its first committee (where it starts owning that committee's shards). */
export const inFirstEpoch = (context: StorageNodeContext): boolean =>
  context.committee.epoch === context.committees[0].epoch;

/** Whether the node is a member of its current committee. */
export const isMember = (context: StorageNodeContext): boolean =>
  memberOf(context.committee, context.name) !== undefined;

/**
 * An action of the node, as its regions write them: over the node's context and events, with
 * params `P`, able to enqueue the one action every machine sends with (`send`).
 */
export type NodeAction<P extends object | undefined = undefined> = ActionFunction<
  StorageNodeContext,
  StorageNodeEvent,
  StorageNodeEvent,
  P,
  never,
  { type: "send"; params: Addressed },
  never,
  never,
  never
>;

/** What the node's guards are given: its context and the event. */
export interface GuardArgs {
  readonly context: StorageNodeContext;
  readonly event: StorageNodeEvent;
}

/** A message the node takes, well formed (a malformed one is dropped). */
export const isWellFormed = (event: StorageNodeEvent): boolean =>
  isMessage(event, event.type as ProtocolMessage["type"]);
