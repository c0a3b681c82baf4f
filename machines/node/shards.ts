/**
 * The shards a node stores, one region each (`ShardStatus`, `crates/walrus-service/src/node/storage/shard.rs`):
 * the region's states are the implementation's shard statuses and its transitions the changes the
 * implementation makes; {@link SHARD_STATUS_TRANSITIONS} is read off the chart. A shard's record is
 * made as `None`, the state it leaves, by the transition that creates the shard (at the start, or
 * `startShardSync`); from then on only the entry of its region's states writes its status
 * (`recordShardStatus`), so that the other regions' guards see it.
 *
 * - `None`: not stored; a member of the first committee has its shards forced `Active` at the
 *   start (`force_set_active_status` at genesis), and so is a shard gained from a committee that
 *   held no shards;
 * - `ActiveSync`: gained at an `EpochChangeStart`, filled from its previous owner (the cooperative
 *   pathway, `start_sync_shard_before_epoch`): the primary slivers of every blob certified before
 *   the epoch, then the secondary ones, each checked against the blob's metadata; it takes writes
 *   of new blobs meanwhile;
 * - `ActiveRecover`: the transfer ended with blobs left out, or gave up (`ShardSyncTimeout`: a
 *   crashed or silent owner); those blobs are recovered one by one from the committee that serves
 *   them (the recovery pathway, `recovery_any_missing_slivers`, in the blob regions);
 * - `Active`: holds every blob that came with it;
 * - `LockedToMove`: lost at an epoch change (`lock_shard_for_epoch_change`, which also stops a
 *   transfer into it still running): no more writes, but
 *   reads, recovery symbols and the new owner's shard sync are still served. Final: a shard is
 *   never gained back by the node that lost it (no model's changes do; the implementation removes
 *   its storage two epochs on).
 *
 * `ShardSyncFails` (the environment: a task that fails for good, a non-retryable error) leaves a
 * filling shard where it is with nothing running; `RestartShardSync` (a restarted node,
 * `restart_shard_sync_always_retry_transfer_first`) tries the transfer of a shard in recovery again,
 * whether or not it had failed.
 *
 * Follows paper §6 (the cooperative and recovery pathways) and `node/storage/shard.rs`,
 * `node/shard_sync.rs`, `node/epoch_change/plan.rs`.
 */

import { and, assign, enqueueActions } from "xstate";
import type { ActorName, ShardSyncResponse } from "../../spec/messages.js";
import { memberOf } from "../committee.js";
import { shardDiff } from "../shard-assignment.js";
import {
  type BlobAtNode,
  type GuardArgs,
  type NodeAction,
  type ShardAtNode,
  type ShardStatus,
  type StorageNodeContext,
  changeAt,
  committeeOf,
  inFirstEpoch,
  isOwned,
  movedBy,
  nOf,
} from "./context.js";
import { certifiedEpochOf } from "./blob-info.js";
import { transitionTable } from "./status.js";
import { type BlobSlivers, withMetadata, withSliver } from "./slivers.js";

/** The parameters of a shard region's guards and actions. */
export interface ShardParams {
  readonly shard: number;
}

/** The shard's record at the node, if it stores it. */
export const shardAt = (context: StorageNodeContext, shard: number): ShardAtNode | undefined =>
  context.shards.find((s) => s.shard === shard);

/** Whether the node holds both slivers of the blob for the shard. */
export const holdsInShard = (blob: BlobSlivers, shard: number): boolean => {
  const slot = blob.slivers.find((s) => s.shard === shard);
  return slot !== undefined && slot.primary !== null && slot.secondary !== null;
};

/** Whether the shard holds every blob that came with it (those certified before the epoch that created it). */
const shardComplete = (blobs: readonly BlobAtNode[], shard: ShardAtNode) =>
  blobs.every((blob) => !movedBy(blob, shard.since) || holdsInShard(blob, shard.shard));

/**
 * The shards whose slivers of the blob the node must recover itself now: the blob is certified
 * (and not invalidated), the shard owned, not failed and missing a sliver, and the blob not left to a transfer still
 * running (a syncing shard takes new blobs directly; blobs certified before its epoch come by
 * transfer unless it gave up).
 */
export function dueShards(context: StorageNodeContext, blob: BlobAtNode): number[] {
  if (certifiedEpochOf(blob.record) === null) return [];
  return context.shards
    .filter(
      (shard) =>
        isOwned(shard.status) &&
        shard.failedIn === null &&
        !holdsInShard(blob, shard.shard) &&
        !(shard.status === "ActiveSync" && movedBy(blob, shard.since)),
    )
    .map((shard) => shard.shard);
}

/** The blobs with the response's slivers stored for its shard: only blobs this node knows certified before the epoch. */
function withSyncedSlivers(context: StorageNodeContext, response: ShardSyncResponse): BlobAtNode[] {
  const n = nOf(context);
  return context.blobs.map((blob) => {
    const entry = (response.slivers ?? []).find((synced) => synced.blobId === blob.blobId);
    if (entry === undefined || !movedBy(blob, response.epoch)) return blob;
    const known = withMetadata(blob, entry.metadata, n);
    return { ...blob, ...withSliver(known, response.shard, response.axis, entry.sliver, n) };
  });
}

/** Whether a response ends the transfer: the secondary axis, or a refusal. */
const endsTransfer = (response: ShardSyncResponse) => response.axis === "secondary" || response.slivers === null;

/** The previous owner of the shard in the committee before `epoch`. */
const previousOwner = (context: StorageNodeContext, shard: number, epoch: number): ActorName | null =>
  committeeOf(context, epoch - 1)?.members.find((member) => member.shards.includes(shard))?.name ?? null;

/**
 * Whom a transfer of the shard asks: its owner before the epoch that gives it to the node (the
 * epoch of the `chain.EpochChangeStart` that does, or of the shard's record once it exists). None
 * when the previous committee held no shards yet: then no blob was certified before and nothing
 * moves.
 */
function transferSource({ context, event }: GuardArgs, shard: number): ActorName | null {
  const epoch = event.type === "chain.EpochChangeStart" ? event.epoch : shardAt(context, shard)?.since;
  return epoch === undefined ? null : previousOwner(context, shard, epoch);
}

/** The shard regions' guards. */
export const shardGuards = {
  /** A shard of the node's first committee, at the start. */
  ownedFromStart: ({ context }: GuardArgs, { shard }: ShardParams) =>
    inFirstEpoch(context) && memberOf(context.committee, context.name)?.shards.includes(shard) === true,
  /** Gained at this epoch change. */
  gainsShard: (args: GuardArgs, { shard }: ShardParams) => {
    const c = changeAt(args);
    return c !== undefined && shardDiff(c.previous, c.next, args.context.name).gained.includes(shard);
  },
  /** Lost at this epoch change. */
  losesShard: (args: GuardArgs, { shard }: ShardParams) => {
    const c = changeAt(args);
    return c !== undefined && shardDiff(c.previous, c.next, args.context.name).lost.includes(shard);
  },
  /** From the previous owner this node asked, for the transfer of that axis still running. */
  awaitedSyncResponse: ({ context, event }: GuardArgs, { shard }: ShardParams) => {
    const at = shardAt(context, shard);
    return (
      event.type === "ShardSyncResponse" &&
      event.shard === shard &&
      at?.syncing === event.axis &&
      at.source === event.node &&
      event.epoch === context.committee.epoch
    );
  },
  /** The response ends the transfer. */
  transferEnds: ({ event }: GuardArgs) => event.type === "ShardSyncResponse" && endsTransfer(event),
  /** With the response's slivers the shard holds every blob that came with it. */
  shardFilledBy: ({ context, event }: GuardArgs, { shard }: ShardParams) => {
    const at = shardAt(context, shard);
    return (
      event.type === "ShardSyncResponse" && at !== undefined && shardComplete(withSyncedSlivers(context, event), at)
    );
  },
  /** The shard had an owner to transfer it from. */
  hasPreviousOwner: (args: GuardArgs, { shard }: ShardParams) => transferSource(args, shard) !== null,
  /** A transfer of the shard is running. */
  transferRunning: ({ context }: GuardArgs, { shard }: ShardParams) => shardAt(context, shard)?.syncing != null,
  /** Its filling has not failed for good. */
  stillFilling: ({ context }: GuardArgs, { shard }: ShardParams) => shardAt(context, shard)?.failedIn === null,
  /** Recovered: it holds every blob that came with it, and its filling has not failed. */
  shardRecovered: ({ context }: GuardArgs, { shard }: ShardParams) => {
    const at = shardAt(context, shard);
    return at !== undefined && at.failedIn === null && shardComplete(context.blobs, at);
  },
};

/** The context with the shard's record changed. */
const withShard = (context: StorageNodeContext, shard: number, change: Partial<ShardAtNode>) => ({
  shards: context.shards.map((s) => (s.shard === shard ? { ...s, ...change } : s)),
});

/** `sync_shard` for one axis of the shard, to its previous owner. */
const syncRequest = (context: StorageNodeContext, to: ActorName, shard: number, axis: "primary" | "secondary") => ({
  to,
  type: "ShardSyncRequest" as const,
  from: context.name,
  shard,
  axis,
  epoch: context.committee.epoch,
});

/** The shard regions' actions. */
export const shardActions: Record<
  "startShardSync" | "takeShardSyncResponse" | "stopTransfer" | "failShardFilling" | "retryShardTransfer",
  NodeAction<ShardParams>
> & { recordShardStatus: NodeAction<ShardParams & { readonly status: ShardStatus }> } = {
  /** The state's status, in the shard's record (the transition that created the shard made the record). */
  recordShardStatus: assign(({ context }, { shard, status }: ShardParams & { readonly status: ShardStatus }) =>
    withShard(context, shard, { status }),
  ),
  /** A gained shard: every blob gets a slot for it, and its previous owner, if any, is asked for the primary slivers. */
  startShardSync: enqueueActions(({ context, event, enqueue }, { shard }: ShardParams) => {
    if (event.type !== "chain.EpochChangeStart") return;
    const source = transferSource({ context, event }, shard);
    const record: ShardAtNode = {
      shard,
      status: "None",
      since: event.epoch,
      syncing: source === null ? null : "primary",
      source,
      failedIn: null,
    };
    enqueue.assign({
      shards: [...context.shards.filter((s) => s.shard !== shard), record].sort((a, b) => a.shard - b.shard),
      blobs: context.blobs.map((blob) => ({
        ...blob,
        slivers: [...blob.slivers, { shard, primary: null, secondary: null }].sort((a, b) => a.shard - b.shard),
      })),
    });
    if (source !== null) {
      enqueue({ type: "send", params: { ...syncRequest(context, source, shard, "primary"), epoch: event.epoch } });
    }
  }),
  /** The slivers of a transfer's answer, each checked against the blob's metadata; then the next axis, or the end. */
  takeShardSyncResponse: enqueueActions(({ context, event, enqueue }, { shard }: ShardParams) => {
    if (event.type !== "ShardSyncResponse") return;
    const ends = endsTransfer(event);
    enqueue.assign({
      blobs: withSyncedSlivers(context, event),
      ...withShard(context, shard, ends ? { syncing: null, source: null } : { syncing: "secondary" }),
    });
    if (!ends) enqueue({ type: "send", params: syncRequest(context, event.node, shard, "secondary") });
  }),
  /**
   * The transfer stops: it gave up (what it left out is recovered blob by blob), or the shard is
   * locked to move on (`lock_shard_for_epoch_change` cancels its sync).
   */
  stopTransfer: assign(({ context }, { shard }: ShardParams) =>
    withShard(context, shard, { syncing: null, source: null }),
  ),
  /** The shard's sync and recovery fail for good in this epoch. */
  failShardFilling: assign(({ context }, { shard }: ShardParams) =>
    withShard(context, shard, { syncing: null, source: null, failedIn: context.committee.epoch }),
  ),
  /** A restarted node asks the previous owner again, from the primary slivers: a failure of an earlier run is forgotten. */
  retryShardTransfer: enqueueActions(({ context, event, enqueue }, { shard }: ShardParams) => {
    const source = transferSource({ context, event }, shard);
    if (source === null) return;
    enqueue.assign(withShard(context, shard, { syncing: "primary", source, failedIn: null }));
    enqueue({ type: "send", params: syncRequest(context, source, shard, "primary") });
  }),
};

/** The region of shard `shard`: its status as states, each change one of the implementation's. */
export function shardRegion(shard: number) {
  const params = { shard };
  const record = (status: ShardStatus) => ({ type: "recordShardStatus", params: { shard, status } }) as const;
  const lost = {
    guard: { type: "losesShard", params },
    target: "LockedToMove",
    actions: { type: "stopTransfer", params },
  } as const;
  const fails = {
    guard: { type: "stillFilling", params },
    actions: { type: "failShardFilling", params },
  } as const;
  return {
    initial: "None",
    states: {
      None: {
        always: { guard: { type: "ownedFromStart", params }, target: "Active" },
        on: {
          "chain.EpochChangeStart": [
            {
              guard: and([
                { type: "gainsShard", params },
                { type: "hasPreviousOwner", params },
              ]),
              target: "ActiveSync",
              actions: { type: "startShardSync", params },
            },
            // the committee before held no shards: no blob was certified before, so nothing moves
            // (as at genesis, `force_set_active_status`)
            { guard: { type: "gainsShard", params }, target: "Active", actions: { type: "startShardSync", params } },
          ],
        },
      },
      Active: { entry: record("Active"), on: { "chain.EpochChangeStart": lost } },
      ActiveSync: {
        entry: record("ActiveSync"),
        on: {
          ShardSyncResponse: [
            {
              guard: and([{ type: "awaitedSyncResponse", params }, "transferEnds", { type: "shardFilledBy", params }]),
              target: "Active",
              actions: { type: "takeShardSyncResponse", params },
            },
            {
              guard: and([{ type: "awaitedSyncResponse", params }, "transferEnds"]),
              target: "ActiveRecover",
              actions: { type: "takeShardSyncResponse", params },
            },
            { guard: { type: "awaitedSyncResponse", params }, actions: { type: "takeShardSyncResponse", params } },
          ],
          ShardSyncTimeout: {
            guard: { type: "transferRunning", params },
            target: "ActiveRecover",
            actions: { type: "stopTransfer", params },
          },
          ShardSyncFails: fails,
          "chain.EpochChangeStart": lost,
        },
      },
      ActiveRecover: {
        entry: record("ActiveRecover"),
        always: { guard: { type: "shardRecovered", params }, target: "Active" },
        on: {
          RestartShardSync: {
            guard: { type: "hasPreviousOwner", params },
            target: "ActiveSync",
            actions: { type: "retryShardTransfer", params },
          },
          ShardSyncFails: fails,
          "chain.EpochChangeStart": lost,
        },
      },
      LockedToMove: { entry: record("LockedToMove"), type: "final" },
    },
  } as const;
}

/** Every shard status: the states of the chart. */
export const SHARD_STATUSES = Object.keys(shardRegion(0).states) as ShardStatus[];

/** The changes of shard status: read off {@link shardRegion}. */
export const SHARD_STATUS_TRANSITIONS: Readonly<Record<ShardStatus, readonly ShardStatus[]>> = transitionTable(
  shardRegion(0).states,
);

/** The status as the node's HTTP API reports it. */
export function shardStatusForApi(status: ShardStatus): "Unknown" | "Ready" | "InTransfer" | "InRecovery" | "ReadOnly" {
  switch (status) {
    case "None":
      return "Unknown";
    case "Active":
      return "Ready";
    case "ActiveSync":
      return "InTransfer";
    case "ActiveRecover":
      return "InRecovery";
    case "LockedToMove":
      return "ReadOnly";
  }
}
