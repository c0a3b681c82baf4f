/**
 * A storage node through epoch changes: the shards it owns change, the blobs certified before a
 * change move with their shards, and writes and reads go on meanwhile. It holds several blobs and
 * several shards; `node/` is the node of the write, read, healing and
 * invalidation within an epoch, and this one is that node's epoch change.
 *
 * - in: chain events `BlobRegistered`, `BlobCertified`, `EpochChangeStart`, `EpochChangeDone`
 *   (processed in chain order); `StoreSliverPairs` from writers; `ReadRequest` from readers;
 *   `ShardSyncRequest` and `RecoverySymbolRequest` from nodes and the answers to its own;
 *   `ShardSyncTimeout` and `ShardSyncFails` from the environment;
 * - out: `StorageConfirmation` to writers, `ReadResponse` to readers, `ShardSyncRequest` to a
 *   gained shard's previous owner, `RecoverySymbolRequest` to the committee that serves the blob,
 *   the answers to other nodes' requests, and `EpochSyncDone` to the chain.
 *
 * On `EpochChangeStart` the node applies its plan (`epoch-change-plan.ts`): it locks the shards it
 * lost (`LockedToMove`: no more writes, but reads, recovery symbols and the new owner's shard sync
 * are still served) and creates the ones it gained (`ActiveSync`). A gained shard is filled from
 * its previous owner first (the cooperative pathway): the primary slivers of every blob certified
 * before the epoch, then the secondary ones, each checked against the blob's metadata. What the
 * transfer left out, or everything when it gives up (`ShardSyncTimeout`: a crashed or silent
 * owner; a non-retryable error), is recovered blob by blob from the committee that serves the
 * blob (the recovery pathway, `ActiveRecover`): secondary slivers from n − 2f symbols, then primary
 * ones from n − f, as in self-healing. New blobs are written straight into syncing shards; a
 * certified blob that misses slivers of an owned shard is recovered the same way. Once every owned
 * shard is `Active` the node calls `epoch_sync_done`, once per epoch.
 *
 * The attestation has a variant, `attestWhen`: `allShardsActive` (default: what the paper asks, a
 * node signals once it holds its shards) or `noTaskRunning`, the implementation's finisher, which
 * attests once no sync or recovery task runs — after a task that failed for good
 * (`ShardSyncFails`), a shard can stay `ActiveSync` or `ActiveRecover` with nothing running, and
 * the node attests at the next epoch without holding it (`plan.rs`, WAL-1271).
 *
 * Follows paper §6 (reconfiguration: writes to the new committee at once; reads of older blobs
 * from the old one until the change is done; the cooperative and recovery pathways) and
 * `crates/walrus-service/src/node/epoch_change.rs`, `epoch_change/plan.rs`, `shard_sync.rs`,
 * `storage/shard.rs` (`start_sync_shard_before_epoch`, `recovery_any_missing_slivers`),
 * `node.rs::sync_shard` (served only to the shard's owner in the server's current epoch) and
 * `walrus-sdk/src/active_committees.rs` (`read_committee`). A request the node cannot answer yet
 * is held and answered once it can (this stands for the requester's retries); the metadata of the
 * blobs a shard sync moves comes with its answer (the implementation fetches it first, in the
 * metadata sync of a new member). A writer's confirmation is asked again when the node enters a
 * new epoch (the writer retries until the node is at its epoch).
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import { type Axis, orthogonal, sliverIndexOf } from "../spec/codec/slivers.js";
import type {
  ActorName,
  BlobCertified,
  BlobIdText,
  BlobRegistered,
  EpochEvent,
  ReadRequest,
  RecoverySymbolRequest,
  RecoverySymbolResponse,
  ShardSyncRequest,
  ShardSyncResponse,
  StoreSliverPairs,
} from "../spec/messages.js";
import { type ProtocolMessage, isMessage } from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import {
  metadataMatchesBlobId,
  pairOfShard,
  recoverFromSymbols,
  recoverySymbolsFor,
  sliverMatchesMetadata,
  symbolVerifies,
} from "./codec.js";
import { chainOrderGuards, takeNextHeldEvent, withEarlyEvent } from "./chain-order.js";
import { CHAIN, type Committee, type Outgoing, memberOf, send, sortedSet } from "./committee.js";
import { type EpochChangePlan, membershipOf, planEpochChange } from "./epoch-change-plan.js";
import {
  type NodeStatus,
  type ShardStatus,
  isOwned,
  transitionNodeStatus,
  transitionShardStatus,
} from "./node-status.js";
import { shardDiff } from "./shard-assignment.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["6.1", "6.5", "6.6"],
  files: [
    "crates/walrus-service/src/node/epoch_change.rs",
    "crates/walrus-service/src/node/epoch_change/plan.rs",
    "crates/walrus-service/src/node/shard_sync.rs",
    "crates/walrus-service/src/node/storage/shard.rs",
    "crates/walrus-service/src/node.rs",
    "crates/walrus-sdk/src/active_committees.rs",
  ],
};

// --- messages of the shard transfer ---

/** environment → node: the transfers under way give up (no progress for long, or a non-retryable error). */
export interface ShardSyncTimeout {
  readonly type: "ShardSyncTimeout";
}

/** environment → node: the sync and recovery tasks of the shards being filled fail for good. */
export interface ShardSyncFails {
  readonly type: "ShardSyncFails";
}

// --- context ---

/** A blob's slivers of one shard the node holds (owned or locked). */
export interface ShardSlivers {
  readonly shard: number;
  readonly primary: ByteRef | null;
  readonly secondary: ByteRef | null;
}

/** What the node knows and holds of one blob. */
export interface BlobAtNode {
  readonly blobId: BlobIdText;
  readonly registered: boolean;
  /** The epoch of its certification, once processed. */
  readonly certifiedEpoch: number | null;
  readonly metadata: ByteRef | null;
  /** By shard, ascending: the shards the node holds. */
  readonly slivers: readonly ShardSlivers[];
  /** The writer to confirm to, once an upload came. */
  readonly uploader: ActorName | null;
  /** An upload that came before the registration. */
  readonly pending: StoreSliverPairs | null;
  /** Recovery symbols received (checked when used), sorted; `null`: no recovery asked. */
  readonly symbols: readonly ByteRef[] | null;
}

/** A shard the node stores, and the transfer that fills it. */
export interface ShardAtNode {
  readonly shard: number;
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

/** A request the node cannot answer yet and answers once it can. */
export type HeldRequest = ReadRequest | RecoverySymbolRequest | ShardSyncRequest;

/** Who the node is, the committees of every epoch, and what it holds at the start. */
export interface EpochChangeNodeInput {
  readonly name: ActorName;
  /** The committee of every epoch the model runs through, the first one first. */
  readonly committees: readonly Committee[];
  /** What the node holds at the start: blobs certified before the model, with their slivers. */
  readonly blobs?: readonly BlobAtNode[];
  /** When the node calls `epoch_sync_done` (see the header). Default `allShardsActive`. */
  readonly attestWhen?: "allShardsActive" | "noTaskRunning";
}

/** The node's input with its epoch view, shards, blobs and work in progress. */
export interface EpochChangeNodeContext extends Required<EpochChangeNodeInput> {
  // epoch view
  /** The epoch whose `EpochChangeStart` the node processed last. */
  readonly epoch: number;
  /** Whether `EpochChangeDone` for `epoch` is processed: older blobs are then served by this committee. */
  readonly changeDone: boolean;
  readonly status: NodeStatus;
  /** The last epoch for which the node called `epoch_sync_done`. */
  readonly attestedEpoch: number;

  // chain order
  readonly nextSeq: number;
  readonly early: readonly (BlobRegistered | BlobCertified | EpochEvent)[];

  // storage
  readonly shards: readonly ShardAtNode[];
  readonly blobs: readonly BlobAtNode[];
  readonly held: readonly HeldRequest[];
}

/** Every event the node takes: chain events, writers', readers' and nodes' messages, the environment's. */
export type EpochChangeNodeEvent =
  | BlobRegistered
  | BlobCertified
  | EpochEvent
  | StoreSliverPairs
  | ReadRequest
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | ShardSyncRequest
  | ShardSyncResponse
  | ShardSyncTimeout
  | ShardSyncFails;

type Context = EpochChangeNodeContext;

// --- committees ---

const committeeOf = (context: Context, epoch: number): Committee | undefined =>
  context.committees.find((committee) => committee.epoch === epoch);
const currentCommittee = (context: Context) => committeeOf(context, context.epoch) as Committee;
const nOf = (context: Context) => context.committees[0].nShards;
/** Shards the node owns in its current epoch. */
const owned = (context: Context) => context.shards.filter((shard) => isOwned(shard.status));

/** The committee that serves a blob certified in `certifiedEpoch` (`read_committee`), as this node sees the chain. */
function servingCommittee(context: Context, certifiedEpoch: number): Committee {
  const previous = committeeOf(context, context.epoch - 1);
  return !context.changeDone && certifiedEpoch < context.epoch && previous !== undefined
    ? previous
    : currentCommittee(context);
}

// --- blobs and slivers ---

const blobNamed = (context: Context, blobId: BlobIdText) => context.blobs.find((blob) => blob.blobId === blobId);

function withBlob(context: Context, blobId: BlobIdText, change: (blob: BlobAtNode) => BlobAtNode): BlobAtNode[] {
  const existing = blobNamed(context, blobId) ?? {
    blobId,
    registered: false,
    certifiedEpoch: null,
    metadata: null,
    slivers: [],
    uploader: null,
    pending: null,
    symbols: null,
  };
  const changed = change(existing);
  return [...context.blobs.filter((blob) => blob.blobId !== blobId), changed].sort((a, b) =>
    a.blobId < b.blobId ? -1 : 1,
  );
}

const sliverIndex = (context: Context, blobId: BlobIdText, shard: number, axis: Axis) =>
  sliverIndexOf(axis, pairOfShard(blobId, shard, nOf(context)), nOf(context));

const slotOf = (blob: BlobAtNode, shard: number): ShardSlivers =>
  blob.slivers.find((s) => s.shard === shard) ?? { shard, primary: null, secondary: null };

/** The blob with the sliver stored for the shard, when it verifies against the blob's metadata. */
function storeSliver(context: Context, blob: BlobAtNode, shard: number, axis: Axis, sliver: ByteRef): BlobAtNode {
  const slot = slotOf(blob, shard);
  if (slot[axis] !== null || blob.metadata === null) return blob;
  if (
    !sliverMatchesMetadata(
      blob.metadata,
      blob.blobId,
      nOf(context),
      sliver,
      axis,
      sliverIndex(context, blob.blobId, shard, axis),
    )
  ) {
    return blob;
  }
  const slivers = [...blob.slivers.filter((s) => s.shard !== shard), { ...slot, [axis]: sliver }];
  return { ...blob, slivers: slivers.sort((a, b) => a.shard - b.shard) };
}

/** The blob with the first metadata that matches its ID. */
const withMetadata = (context: Context, blob: BlobAtNode, metadata: ByteRef | null): BlobAtNode =>
  blob.metadata === null && metadata !== null && metadataMatchesBlobId(metadata, blob.blobId, nOf(context))
    ? { ...blob, metadata }
    : blob;

const holds = (blob: BlobAtNode, shard: number) => {
  const slot = slotOf(blob, shard);
  return slot.primary !== null && slot.secondary !== null;
};

/** Blobs a shard sync of `shard` into `epoch` moves: certified before the epoch. */
const movedBy = (blob: BlobAtNode, epoch: number) => blob.certifiedEpoch !== null && blob.certifiedEpoch < epoch;

/**
 * Whether the node must recover the blob's slivers of the shard itself, blob by blob: the blob is
 * certified and the shard owned and not failed, and the blob is not left to a transfer still
 * running (a syncing shard takes new blobs directly; blobs certified before its epoch come by
 * transfer unless it gave up).
 */
function recoveryDue(blob: BlobAtNode, shard: ShardAtNode): boolean {
  if (blob.certifiedEpoch === null || !isOwned(shard.status) || shard.failedIn !== null || holds(blob, shard.shard))
    return false;
  return !(shard.status === "ActiveSync" && movedBy(blob, shard.since));
}

/**
 * Whether a shard holds every blob that came with it: those certified before the epoch that
 * created it (blobs certified since are written to it, or recovered, like any blob).
 */
const shardComplete = (context: Context, shard: ShardAtNode) =>
  context.blobs.every((blob) => !movedBy(blob, shard.since) || holds(blob, shard.shard));

// --- serving ---

/** Slivers of `axis` the node holds of a blob, any shard. */
const heldSlivers = (blob: BlobAtNode, axis: Axis) =>
  blob.slivers.flatMap((slot) => (slot[axis] === null ? [] : [slot[axis] as ByteRef]));

/** Whether the node can answer the request now. */
function answerable(context: Context, request: HeldRequest): boolean {
  if (request.type === "ShardSyncRequest") return context.epoch >= request.epoch;
  const blob = blobNamed(context, request.blobId);
  if (blob?.metadata == null) return false;
  if (request.type === "ReadRequest") {
    return blob.slivers.length > 0 && blob.slivers.every((slot) => slot[request.axis] !== null);
  }
  return (["primary", "secondary"] as const).some(
    (axis) => request[axis].length > 0 && heldSlivers(blob, orthogonal(axis)).length > 0,
  );
}

/** The answer to a request the node can answer. */
function answer(context: Context, request: HeldRequest): Outgoing {
  const n = nOf(context);
  if (request.type === "ShardSyncRequest") {
    // `sync_shard`: only to the shard's owner in the server's current epoch, only that epoch.
    const ownerAsks =
      request.epoch === context.epoch &&
      memberOf(currentCommittee(context), request.from)?.shards.includes(request.shard) === true &&
      context.shards.some((shard) => shard.shard === request.shard);
    const slivers = context.blobs.flatMap((blob) => {
      const sliver = slotOf(blob, request.shard)[request.axis];
      return movedBy(blob, request.epoch) && blob.metadata !== null && sliver !== null
        ? [{ blobId: blob.blobId, metadata: blob.metadata, sliver }]
        : [];
    });
    return {
      to: request.from,
      type: "ShardSyncResponse",
      node: context.name,
      shard: request.shard,
      axis: request.axis,
      epoch: request.epoch,
      slivers: ownerAsks ? slivers : null,
    };
  }
  const blob = blobNamed(context, request.blobId) as BlobAtNode;
  const metadata = blob.metadata as ByteRef;
  if (request.type === "ReadRequest") {
    return {
      to: request.from,
      type: "ReadResponse",
      node: context.name,
      blobId: blob.blobId,
      axis: request.axis,
      metadata,
      slivers: heldSlivers(blob, request.axis),
    };
  }
  const symbols = (["primary", "secondary"] as const).flatMap((axis) =>
    request[axis].length === 0
      ? []
      : recoverySymbolsFor(metadata, blob.blobId, n, heldSlivers(blob, orthogonal(axis)), axis, request[axis]),
  );
  return {
    to: request.from,
    type: "RecoverySymbolResponse",
    node: context.name,
    blobId: blob.blobId,
    metadata,
    symbols,
  };
}

// --- writing ---

/** The upload stored into the shards the node owns and that take writes. */
function withUpload(context: Context, upload: StoreSliverPairs): BlobAtNode[] {
  const n = nOf(context);
  return withBlob(context, upload.blobId, (found) => {
    let blob = withMetadata(context, found, upload.metadata);
    for (const shard of owned(context)) {
      const offered = upload.pairs.find((p) => p.pair === pairOfShard(upload.blobId, shard.shard, n));
      if (offered === undefined) continue;
      blob = storeSliver(context, blob, shard.shard, "primary", offered.primary);
      blob = storeSliver(context, blob, shard.shard, "secondary", offered.secondary);
    }
    return { ...blob, uploader: blob.uploader ?? upload.from };
  });
}

/** A confirmation for the node's current epoch, when it is a member and stores the blob in every owned shard. */
function confirmation(context: Context, blob: BlobAtNode): Outgoing | null {
  const member = memberOf(currentCommittee(context), context.name);
  if (member === undefined || blob.uploader === null || !blob.registered || blob.certifiedEpoch !== null) return null;
  if (!member.shards.every((shard) => holds(blob, shard))) return null;
  return {
    to: blob.uploader,
    type: "StorageConfirmation",
    node: context.name,
    epoch: context.epoch,
    blobId: blob.blobId,
    shards: [...member.shards],
  };
}

// --- recovering ---

/** The shards whose slivers of the blob the node recovers now. */
const dueShards = (context: Context, blob: BlobAtNode) => context.shards.filter((shard) => recoveryDue(blob, shard));

/** Requests for the recovery symbols of the blob's due slivers, to the committee that serves it. */
function recoveryRequests(context: Context, blob: BlobAtNode): Outgoing[] {
  const shards = dueShards(context, blob);
  const indices = (axis: Axis) => shards.map((shard) => sliverIndex(context, blob.blobId, shard.shard, axis)).sort();
  return servingCommittee(context, blob.certifiedEpoch as number)
    .members.filter((member) => member.name !== context.name)
    .map((member) => ({
      to: member.name,
      type: "RecoverySymbolRequest",
      from: context.name,
      blobId: blob.blobId,
      primary: indices("primary"),
      secondary: indices("secondary"),
    }));
}

/** The blob with what the symbols recover of its due slivers: secondary slivers first, then primary (paper §4). */
function recovered(context: Context, blob: BlobAtNode): BlobAtNode {
  if (blob.metadata === null || blob.symbols === null) return blob;
  const n = nOf(context);
  let result = blob;
  for (const axis of ["secondary", "primary"] as const) {
    for (const shard of dueShards(context, result)) {
      if (slotOf(result, shard.shard)[axis] !== null) continue;
      const index = sliverIndex(context, blob.blobId, shard.shard, axis);
      const own = recoverySymbolsFor(blob.metadata, blob.blobId, n, heldSlivers(result, orthogonal(axis)), axis, [
        index,
      ]);
      const outcome = recoverFromSymbols(blob.metadata, blob.blobId, n, axis, index, [...blob.symbols, ...own]);
      if (outcome.kind === "recovered") result = storeSliver(context, result, shard.shard, axis, outcome.sliver);
    }
  }
  return result;
}

// --- epoch change ---

/**
 * The node's shards after the plan for `epoch`: lost ones locked, forced ones `Active`, gained ones
 * created — to fill from their previous owner, or forced `Active` to recover blob by blob.
 */
function shardsAfterPlan(context: Context, epoch: number, plan: EpochChangePlan): ShardAtNode[] {
  const previous = currentCommittee(context);
  const kept = context.shards.map((shard) => {
    if (plan.lock.includes(shard.shard)) {
      return { ...shard, status: transitionShardStatus(shard.status, "LockedToMove"), syncing: null, source: null };
    }
    return plan.forceActive.includes(shard.shard) && shard.status !== "Active"
      ? { ...shard, status: transitionShardStatus(shard.status, "Active"), syncing: null, source: null }
      : shard;
  });
  const created = plan.create.map(({ shard, fill }) => {
    const sync = fill === "ShardSync";
    return {
      shard,
      status: transitionShardStatus("None", sync ? "ActiveSync" : "Active"),
      since: epoch,
      syncing: sync ? ("primary" as const) : null,
      source: sync ? (previous.members.find((member) => member.shards.includes(shard))?.name ?? null) : null,
      failedIn: null,
    };
  });
  return [...kept, ...created].sort((a, b) => a.shard - b.shard);
}

/** `sync_shard` for one axis of a gained shard, to its previous owner. */
const shardSyncRequest = (context: Context, to: ActorName, shard: number, axis: Axis, epoch: number): Outgoing => ({
  to,
  type: "ShardSyncRequest",
  from: context.name,
  shard,
  axis,
  epoch,
});

/** Whether the node may call `epoch_sync_done` now (see the header's variants). */
function readyToAttest(context: Context): boolean {
  if (context.attestedEpoch >= context.epoch || memberOf(currentCommittee(context), context.name) === undefined) {
    return false;
  }
  if (context.status.kind === "RecoverMetadata") return false;
  // The finisher of a later epoch sees no task for a shard whose filling failed in an earlier one;
  // in the epoch it failed, the sync held the attestation and never gives it.
  return owned(context).every(
    (shard) =>
      shard.status === "Active" ||
      (context.attestWhen === "noTaskRunning" && shard.failedIn !== null && shard.failedIn < context.epoch),
  );
}

// --- the machine ---

/** A node through epoch changes: chain events, writes, shard sync, recovery and the attestation, as regions side by side. */
export const epochChangeNodeMachine = setup({
  types: {} as { context: EpochChangeNodeContext; input: EpochChangeNodeInput; events: EpochChangeNodeEvent },
  actions: {
    send,
    holdRequest: assign({ held: ({ context, event }) => sortedSet([...context.held, event as HeldRequest]) }),
    answerHeldRequests: enqueueActions(({ context, enqueue }) => {
      const held: HeldRequest[] = [];
      for (const request of context.held) {
        if (answerable(context, request)) enqueue({ type: "send", params: answer(context, request) });
        else held.push(request);
      }
      enqueue.assign({ held });
    }),

    // chain order
    holdEarlyEvent: assign({
      early: ({ context, event }) => withEarlyEvent(context, event as Context["early"][number]),
    }),
    processNextEarlyEvent: enqueueActions(({ context, enqueue }) => {
      const { next, early } = takeNextHeldEvent(context);
      enqueue.raise(next);
      enqueue.assign({ early });
    }),
    advanceChainOrder: assign({ nextSeq: ({ context }) => context.nextSeq + 1 }),

    // blobs
    registerBlob: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "BlobRegistered") return;
      const blob = blobNamed(context, event.blobId);
      enqueue.assign({ blobs: withBlob(context, event.blobId, (b) => ({ ...b, registered: true, pending: null })) });
      // `pending_metadata_cache` and `pending_sliver_cache` are flushed on registration.
      if (blob?.pending != null) enqueue.raise(blob.pending);
    }),
    certifyBlob: assign(({ context, event }) =>
      event.type === "BlobCertified"
        ? { blobs: withBlob(context, event.blobId, (b) => ({ ...b, certifiedEpoch: event.epoch })) }
        : {},
    ),
    holdUpload: assign(({ context, event }) => {
      const upload = event as StoreSliverPairs;
      return { blobs: withBlob(context, upload.blobId, (b) => ({ ...b, pending: b.pending ?? upload })) };
    }),
    storeUpload: enqueueActions(({ context, event, enqueue }) => {
      const blobs = withUpload(context, event as StoreSliverPairs);
      const confirm = confirmation(
        { ...context, blobs },
        blobs.find((b) => b.blobId === (event as StoreSliverPairs).blobId) as BlobAtNode,
      );
      enqueue.assign({ blobs });
      if (confirm !== null) enqueue({ type: "send", params: confirm });
    }),

    // epoch change
    startEpochChange: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "EpochChangeStart") return;
      const previous = currentCommittee(context);
      const next = committeeOf(context, event.epoch) as Committee;
      const diff = shardDiff(previous, next, context.name);
      const inPrevious = memberOf(previous, context.name) !== undefined;
      const inNext = memberOf(next, context.name) !== undefined;
      const plan = planEpochChange(membershipOf(inPrevious, inNext), context.status, diff, event.epoch);
      const shards = shardsAfterPlan(context, event.epoch, plan);
      const entered = { ...context, epoch: event.epoch, changeDone: false, status: plan.nodeStatus, shards };
      enqueue.assign({ epoch: event.epoch, changeDone: false, status: plan.nodeStatus, shards });
      for (const { shard, source } of shards.filter((s) => s.syncing !== null && s.source !== null)) {
        enqueue({
          type: "send",
          params: shardSyncRequest(context, source as ActorName, shard, "primary", event.epoch),
        });
      }
      // The writers of blobs not yet certified ask again for a confirmation of this epoch.
      for (const blob of context.blobs) {
        const confirm = confirmation(entered, blob);
        if (confirm !== null) enqueue({ type: "send", params: confirm });
      }
    }),
    endEpochChange: assign(({ context, event }) =>
      event.type === "EpochChangeDone" && event.epoch === context.epoch ? { changeDone: true } : {},
    ),
    takeShardSyncResponse: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "ShardSyncResponse") return;
      let blobs = context.blobs;
      for (const entry of event.slivers ?? []) {
        const known = blobs.find((blob) => blob.blobId === entry.blobId);
        // Only blobs this node knows certified before the epoch: a source cannot slip others in.
        if (known === undefined || !movedBy(known, event.epoch)) continue;
        const blob = storeSliver(
          context,
          withMetadata(context, known, entry.metadata),
          event.shard,
          event.axis,
          entry.sliver,
        );
        blobs = blobs.map((b) => (b.blobId === blob.blobId ? blob : b));
      }
      const shards = context.shards.map((shard) => {
        if (shard.shard !== event.shard) return shard;
        if (event.axis === "primary" && event.slivers !== null) return { ...shard, syncing: "secondary" as const };
        // The transfer is over: what it left out is recovered blob by blob.
        const complete = shardComplete({ ...context, blobs }, shard);
        return {
          ...shard,
          syncing: null,
          source: null,
          status: transitionShardStatus(shard.status, complete ? "Active" : "ActiveRecover"),
        };
      });
      enqueue.assign({ blobs, shards });
      if (event.axis === "primary" && event.slivers !== null) {
        enqueue({ type: "send", params: shardSyncRequest(context, event.node, event.shard, "secondary", event.epoch) });
      }
    }),
    giveUpShardSync: assign({
      shards: ({ context }) =>
        context.shards.map((shard) =>
          shard.syncing === null
            ? shard
            : { ...shard, syncing: null, source: null, status: transitionShardStatus(shard.status, "ActiveRecover") },
        ),
    }),
    failShardSync: assign({
      shards: ({ context }) =>
        context.shards.map((shard) =>
          shard.status === "ActiveSync" || shard.status === "ActiveRecover"
            ? { ...shard, syncing: null, source: null, failedIn: context.epoch }
            : shard,
        ),
    }),

    // recovery
    requestRecoverySymbols: enqueueActions(({ context, enqueue }) => {
      const blobs = context.blobs.map((blob) => {
        if (blob.symbols !== null || dueShards(context, blob).length === 0) return blob;
        for (const request of recoveryRequests(context, blob)) enqueue({ type: "send", params: request });
        return { ...blob, symbols: [] };
      });
      enqueue.assign({ blobs });
    }),
    takeRecoverySymbols: assign(({ context, event }) => {
      if (event.type !== "RecoverySymbolResponse") return {};
      const n = nOf(context);
      return {
        blobs: withBlob(context, event.blobId, (found) => {
          const blob = withMetadata(context, found, event.metadata);
          const metadata = blob.metadata;
          if (metadata === null || blob.symbols === null) return blob;
          const verified = (event.symbols ?? []).filter((ref) => symbolVerifies(metadata, blob.blobId, n, ref));
          return recovered(context, { ...blob, symbols: [...new Set([...blob.symbols, ...verified])].sort() });
        }),
      };
    }),
    // The symbols are of no use once the slivers are stored; a shard that holds every blob is Active.
    settleRecoveries: assign(({ context }) => {
      const blobs = context.blobs.map((blob) =>
        blob.symbols !== null && dueShards(context, blob).length === 0 ? { ...blob, symbols: null } : blob,
      );
      const shards = context.shards.map((shard) =>
        shard.status === "ActiveRecover" && shard.failedIn === null && shardComplete({ ...context, blobs }, shard)
          ? { ...shard, status: transitionShardStatus(shard.status, "Active") }
          : shard,
      );
      return { blobs, shards };
    }),
    recoverMetadataDone: assign({ status: ({ context }) => transitionNodeStatus(context.status, { kind: "Active" }) }),
    attestEpochSyncDone: enqueueActions(({ context, enqueue }) => {
      enqueue({ type: "send", params: { to: CHAIN, type: "EpochSyncDone", node: context.name, epoch: context.epoch } });
      enqueue.assign({ attestedEpoch: context.epoch });
    }),
  },
  guards: {
    wellFormed: ({ event }) => isMessage(event, event.type as ProtocolMessage["type"]),
    /** A node's request, well formed (the shard transfer's are not protocol messages of spec/). */
    wellFormedSyncRequest: ({ context, event }) =>
      event.type === "ShardSyncRequest" &&
      Number.isSafeInteger(event.shard) &&
      event.shard >= 0 &&
      event.shard < nOf(context) &&
      (event.axis === "primary" || event.axis === "secondary"),
    canAnswerHeldRequest: ({ context }) => context.held.some((request) => answerable(context, request)),
    ...chainOrderGuards,
    knownEpoch: ({ context, event }) => "epoch" in event && committeeOf(context, event.epoch as number) !== undefined,
    blobRegistered: ({ context, event }) =>
      event.type === "StoreSliverPairs" && blobNamed(context, event.blobId)?.registered === true,
    /** From the previous owner this node asked, for a transfer of that axis still running. */
    awaitedShardSyncResponse: ({ context, event }) =>
      event.type === "ShardSyncResponse" &&
      context.shards.some(
        (shard) =>
          shard.shard === event.shard &&
          shard.syncing === event.axis &&
          shard.source === event.node &&
          event.epoch === context.epoch,
      ),
    transferRunning: ({ context }) => context.shards.some((shard) => shard.syncing !== null),
    fillingShards: ({ context }) =>
      context.shards.some(
        (shard) => (shard.status === "ActiveSync" || shard.status === "ActiveRecover") && shard.failedIn === null,
      ),
    recoveryToRequest: ({ context }) =>
      context.blobs.some((blob) => blob.symbols === null && dueShards(context, blob).length > 0),
    recoveryAsked: ({ context, event }) =>
      event.type === "RecoverySymbolResponse" && blobNamed(context, event.blobId)?.symbols != null,
    recoveriesToSettle: ({ context }) =>
      context.blobs.some((blob) => blob.symbols !== null && dueShards(context, blob).length === 0) ||
      context.shards.some(
        (shard) => shard.status === "ActiveRecover" && shard.failedIn === null && shardComplete(context, shard),
      ),
    metadataRecovered: ({ context }) =>
      context.status.kind === "RecoverMetadata" &&
      context.blobs.every((blob) => !movedBy(blob, context.epoch) || blob.metadata !== null),
    readyToAttest: ({ context }) => readyToAttest(context),
  },
}).createMachine({
  id: "epochChangeNode",
  /** The genesis committee's shards, active, holding the blobs of the input. */
  context: ({ input }) => {
    const genesis = input.committees[0];
    const shards = memberOf(genesis, input.name)?.shards ?? [];
    return {
      name: input.name,
      committees: input.committees,
      blobs: [...(input.blobs ?? [])].sort((a, b) => (a.blobId < b.blobId ? -1 : 1)),
      attestWhen: input.attestWhen ?? "allShardsActive",
      epoch: genesis.epoch,
      changeDone: true,
      status: { kind: shards.length > 0 ? "Active" : "Standby" },
      attestedEpoch: genesis.epoch,
      nextSeq: 0,
      early: [],
      shards: shards.map((shard) => ({
        shard,
        status: "Active" as const,
        since: genesis.epoch,
        syncing: null,
        source: null,
        failedIn: null,
      })),
      held: [],
    };
  },
  type: "parallel",
  on: {
    ReadRequest: { guard: "wellFormed", actions: "holdRequest" },
    RecoverySymbolRequest: { guard: "wellFormed", actions: "holdRequest" },
    ShardSyncRequest: { guard: "wellFormedSyncRequest", actions: "holdRequest" },
  },
  always: { guard: "canAnswerHeldRequest", actions: "answerHeldRequests" },
  states: {
    // The chain's events, one at a time in chain order.
    chain: {
      always: { guard: "nextEventHeld", actions: "processNextEarlyEvent" },
      on: {
        BlobRegistered: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["wellFormed", "inChainOrder"]), actions: ["registerBlob", "advanceChainOrder"] },
        ],
        BlobCertified: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["wellFormed", "inChainOrder"]), actions: ["certifyBlob", "advanceChainOrder"] },
        ],
        EpochChangeStart: [
          { guard: and(["knownEpoch", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["knownEpoch", "inChainOrder"]), actions: ["startEpochChange", "advanceChainOrder"] },
        ],
        EpochChangeDone: [
          { guard: and(["knownEpoch", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["knownEpoch", "inChainOrder"]), actions: ["endEpochChange", "advanceChainOrder"] },
        ],
        // No-ops for the node (`process_epoch_parameters_selected` schedules a call, `ShardsReceived`
        // is informative), which still take their place in the chain order.
        EpochParametersSelected: [
          { guard: "aheadOfChainOrder", actions: "holdEarlyEvent" },
          { guard: "inChainOrder", actions: "advanceChainOrder" },
        ],
        ShardsReceived: [
          { guard: "aheadOfChainOrder", actions: "holdEarlyEvent" },
          { guard: "inChainOrder", actions: "advanceChainOrder" },
        ],
      },
    },
    // Writes: stored into the shards the node owns (syncing ones included) once the blob is registered.
    writes: {
      on: {
        StoreSliverPairs: [
          { guard: and(["wellFormed", not("blobRegistered")]), actions: "holdUpload" },
          { guard: "wellFormed", actions: "storeUpload" },
        ],
      },
    },
    // Filling gained shards: transfer from the previous owner, then recovery blob by blob.
    shardSync: {
      on: {
        ShardSyncResponse: { guard: "awaitedShardSyncResponse", actions: "takeShardSyncResponse" },
        ShardSyncTimeout: { guard: "transferRunning", actions: "giveUpShardSync" },
        ShardSyncFails: { guard: "fillingShards", actions: "failShardSync" },
      },
    },
    recovery: {
      always: [
        { guard: "recoveryToRequest", actions: "requestRecoverySymbols" },
        { guard: "recoveriesToSettle", actions: "settleRecoveries" },
      ],
      on: { RecoverySymbolResponse: { guard: and(["wellFormed", "recoveryAsked"]), actions: "takeRecoverySymbols" } },
    },
    // `epoch_sync_done`, once per epoch; a new member first recovers the metadata of older blobs.
    attestation: {
      always: [
        { guard: "metadataRecovered", actions: "recoverMetadataDone" },
        { guard: "readyToAttest", actions: "attestEpochSyncDone" },
      ],
    },
  },
});
