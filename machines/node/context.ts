/**
 * What the storage node knows and holds, and every event it takes: the types the regions of
 * `machines/node/` share. The node holds the state of every blob it is told about, by position
 * (the order of its input's `blobIds`): the regions of blob i read and write `blobs[i]`.
 */

import type { Axis } from "../../spec/codec/slivers.js";
import {
  type ActorName,
  type BlobCertified,
  type BlobIdText,
  type BlobRegistered,
  type ChainEvent,
  type InvalidBlobAttestation,
  type InvalidBlobID,
  type ProtocolMessage,
  type ReadRequest,
  type RecoverySymbolRequest,
  type RecoverySymbolResponse,
  type StoreSliverPairs,
  type VerifyInconsistencyProof,
  isMessage,
} from "../../spec/messages.js";
import type { ByteRef } from "../../spec/store.js";
import type { ActionFunction } from "xstate";
import type { Addressed, Committee } from "../committee.js";
import type { BlobSlivers } from "./slivers.js";

/** Who the node is, its committee, and the blobs it follows. */
export interface StorageNodeInput {
  readonly name: ActorName;
  readonly committee: Committee;
  /** The blobs whose life at this node the machine follows, one region each, in this order. */
  readonly blobIds: readonly BlobIdText[];
  /**
   * Attestations the node collects before `invalidate_blob_id`: `validity`, f + 1 shards (the
   * paper, and what the contract checks), or `quorum`, 2f + 1 (the implementation's
   * `GetInvalidBlobCertificate`, which waits for `min_n_correct`). Default `validity`.
   */
  readonly invalidationAttestations?: "validity" | "quorum";
}

/** A request held until the node can answer it (a recovery request: the axes not yet answered). */
export type HeldRequest = ReadRequest | RecoverySymbolRequest | VerifyInconsistencyProof;

/** An inconsistency proof the node found: the axis of the sliver and the `InconsistencyProof` bytes. */
export interface FoundInconsistency {
  readonly axis: Axis;
  readonly proof: ByteRef;
}

/**
 * What the node knows of a blob on chain, from the events it processed: registered, certified,
 * invalidated (the part of the implementation's `BlobInfo` the models need).
 */
export type ChainStatus = "awaitingRegistration" | "registered" | "certified" | "invalid";

/** What the node knows and holds of one blob, beside its bytes. */
export interface BlobAtNode extends BlobSlivers {
  readonly chainStatus: ChainStatus;
  // storing
  /** An upload that arrived before the registration (`pending_metadata_cache`, `pending_sliver_cache`). */
  readonly pendingUpload: StoreSliverPairs | null;
  /** The writer to confirm to, and whether the confirmation went out. */
  readonly uploader: ActorName | null;
  readonly confirmed: boolean;
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

/** The node's input with what it holds and has processed. */
export interface StorageNodeContext extends Required<StorageNodeInput> {
  /** The shards this node holds (from the committee), ascending. */
  readonly shards: readonly number[];
  // chain-event cursor
  /** Sequence number of the next chain event to process. */
  readonly nextSeq: number;
  /** Chain events that arrived before their turn, by sequence number. */
  readonly early: readonly ChainEvent[];
  // serving
  /** Requests the node cannot answer yet, sorted. */
  readonly held: readonly HeldRequest[];
  // blobs
  /** One per blob of `blobIds`, in that order. */
  readonly blobs: readonly BlobAtNode[];
}

/**
 * A chain event taken in chain order: the cursor raises it, under the name `chain.<event>`, for the
 * regions that act on it (only the cursor knows sequence numbers).
 */
export type InOrder<E extends ChainEvent> = Omit<E, "type"> & { readonly type: `chain.${E["type"]}` };

/** The chain events in chain order, as the regions receive them. */
export type ChainEventInOrder = InOrder<BlobRegistered> | InOrder<BlobCertified> | InOrder<InvalidBlobID>;

/** Every event the node takes: chain events, the writer's upload, readers' and nodes' messages, and its own raised events. */
export type StorageNodeEvent =
  | ChainEvent
  | ChainEventInOrder
  | StoreSliverPairs
  | ReadRequest
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | VerifyInconsistencyProof
  | InvalidBlobAttestation;

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

/**
 * An action of the node, as its regions write them: over the node's context and events, with
 * params `P`, able to enqueue the one action every machine sends with (`send`).
 */
export type NodeAction<P extends BlobParams | undefined = undefined> = ActionFunction<
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
