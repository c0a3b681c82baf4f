/**
 * A storage node's status across epochs, and the status of each shard it stores: the two
 * persisted state variables of the node's epoch change, with the changes the implementation allows
 * between them. A change outside the tables is refused with an {@link IllegalTransitionError}.
 *
 * Node status (`crates/walrus-service/src/node/storage.rs`, `NodeStatus::can_transition_to`):
 *
 * - `Standby`: follows the chain's events, not a committee member;
 * - `Active`: a committee member, up to date;
 * - `RecoverMetadata`: just joined the committee, fetching the metadata of every certified blob;
 * - `RecoveryCatchUp`: fell behind the chain, replaying events; `RecoveryCatchUpWithIncompleteHistory`
 *   the same when the event blobs of the oldest epochs have expired (it carries the first epoch of
 *   complete history and the epoch the catch-up began in);
 * - `RecoveryInProgress(epoch)`: caught up, recovering the slivers it misses up to `epoch`.
 *
 * Rewriting a status with the same one (other fields possibly changed) is always allowed: that is
 * how `RecoveryInProgress(e)` moves its target to a later epoch.
 *
 * Shard status (`crates/walrus-service/src/node/storage/shard.rs`, `ShardStatus`; the node's API
 * reports them as `Unknown`, `Ready`, `InTransfer`, `InRecovery`, `ReadOnly`):
 *
 * - `None`: storage just created;
 * - `Active`: owned, serves reads and takes writes;
 * - `ActiveSync`: owned, being filled from the previous owner (`sync_shard`), takes writes of new
 *   blobs;
 * - `ActiveRecover`: owned, the transfer gave up or left blobs out, which are recovered blob by blob
 *   with Red Stuff from the whole committee (paper §6, recovery pathway);
 * - `LockedToMove`: no longer owned: refuses writes, still serves reads and the new owner's
 *   `sync_shard` (paper §6, cooperative pathway).
 *
 * The shard changes are those the implementation makes (it keeps no table for shards): created
 * `Active` at genesis or when forced (`force_set_active_status`), or `ActiveSync` when a sync starts
 * (`record_start_shard_sync`); `ActiveSync` → `ActiveRecover` when blobs remain to recover after the
 * transfer; either → `Active` when done; `ActiveRecover` → `ActiveSync` on restart, to try the
 * transfer again (`restart_shard_sync_always_retry_transfer_first`); any owned status →
 * `LockedToMove` when the shard is lost at an epoch change (`lock_shard_for_epoch_change`).
 * `LockedToMove` is final: the storage of a shard not owned for two epochs is removed. A shard
 * status is never rewritten with itself here.
 *
 * `nodeStatusMachine` drives the node status from what the node observes (its membership at each
 * `EpochChangeStart`, a detected lag, the end of its catch-up, metadata and node recovery); every
 * change it makes is one of the table's. `shardStatusMachine` does the same for one shard, driven by
 * its sync, its recovery and its loss.
 *
 * Follows paper §6 (reconfiguration) and, in the implementation, `node/storage.rs`,
 * `node/storage/shard.rs`, `node/epoch_change/plan.rs` and `node.rs`.
 */

import { assign, setup } from "xstate";
import { IllegalTransitionError } from "../spec/errors.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["6.3", "6.4"],
  files: [
    "crates/walrus-service/src/node/storage.rs",
    "crates/walrus-service/src/node/storage/shard.rs",
    "crates/walrus-service/src/node/epoch_change/plan.rs",
    "crates/walrus-service/src/node.rs",
  ],
};

// --- node status ---

/** A storage node's status, as `NodeStatus` of the implementation. */
export type NodeStatus =
  | { readonly kind: "Standby" }
  | { readonly kind: "Active" }
  | { readonly kind: "RecoverMetadata" }
  | { readonly kind: "RecoveryCatchUp" }
  | {
      readonly kind: "RecoveryCatchUpWithIncompleteHistory";
      readonly firstCompleteEpoch: number;
      readonly epochAtStart: number;
    }
  | { readonly kind: "RecoveryInProgress"; readonly epoch: number };

/** A node status without its fields. */
export type NodeStatusKind = NodeStatus["kind"];

/** Every node status kind. */
export const NODE_STATUS_KINDS: readonly NodeStatusKind[] = [
  "Standby",
  "Active",
  "RecoverMetadata",
  "RecoveryCatchUp",
  "RecoveryCatchUpWithIncompleteHistory",
  "RecoveryInProgress",
];

/** The changes of node status to another status, each with why it happens. */
export const NODE_STATUS_TRANSITIONS: Readonly<Record<NodeStatusKind, readonly NodeStatusKind[]>> = {
  // joined the committee; fell behind (or its history expired while it was away)
  Standby: ["RecoverMetadata", "RecoveryCatchUp", "RecoveryCatchUpWithIncompleteHistory"],
  // left the committee; fell behind
  Active: ["Standby", "RecoveryCatchUp"],
  // metadata recovered; left the committee; fell behind
  RecoverMetadata: ["Active", "Standby", "RecoveryCatchUp"],
  // caught up: not a member, a new member, a continuing member
  RecoveryCatchUp: ["Standby", "RecoverMetadata", "RecoveryInProgress"],
  RecoveryCatchUpWithIncompleteHistory: ["Standby", "RecoverMetadata", "RecoveryInProgress"],
  // recovery done; left the committee; fell behind
  RecoveryInProgress: ["Active", "Standby", "RecoveryCatchUp"],
};

/** Whether a node in status `from` may be set to `to` (the same status is always allowed). */
export function nodeStatusCanTransitionTo(from: NodeStatus, to: NodeStatus): boolean {
  return from.kind === to.kind || NODE_STATUS_TRANSITIONS[from.kind].includes(to.kind);
}

/** `to`, if a node in status `from` may be set to it; else an {@link IllegalTransitionError}. */
export function transitionNodeStatus(from: NodeStatus, to: NodeStatus): NodeStatus {
  if (!nodeStatusCanTransitionTo(from, to)) throw new IllegalTransitionError("NodeStatus", from.kind, to.kind);
  return to;
}

// --- shard status ---

/** A shard's status at the node that stores it, as `ShardStatus` of the implementation. */
export type ShardStatus = "None" | "Active" | "ActiveSync" | "ActiveRecover" | "LockedToMove";

/** Every shard status. */
export const SHARD_STATUSES: readonly ShardStatus[] = ["None", "Active", "ActiveSync", "ActiveRecover", "LockedToMove"];

/** The changes of shard status, each with why it happens. */
export const SHARD_STATUS_TRANSITIONS: Readonly<Record<ShardStatus, readonly ShardStatus[]>> = {
  // forced active (genesis, recovering node); a shard sync starts
  None: ["Active", "ActiveSync"],
  // lost at an epoch change
  Active: ["LockedToMove"],
  // blobs left to recover one by one; sync done; lost
  ActiveSync: ["ActiveRecover", "Active", "LockedToMove"],
  // recovery done; restart retries the transfer; lost
  ActiveRecover: ["Active", "ActiveSync", "LockedToMove"],
  // final
  LockedToMove: [],
};

/** Whether a shard in status `from` may be set to `to`. */
export function shardStatusCanTransitionTo(from: ShardStatus, to: ShardStatus): boolean {
  return SHARD_STATUS_TRANSITIONS[from].includes(to);
}

/** `to`, if a shard in status `from` may be set to it; else an {@link IllegalTransitionError}. */
export function transitionShardStatus(from: ShardStatus, to: ShardStatus): ShardStatus {
  if (!shardStatusCanTransitionTo(from, to)) throw new IllegalTransitionError("ShardStatus", from, to);
  return to;
}

/** The node owns the shard in the current committee. */
export function isOwned(status: ShardStatus): boolean {
  return status === "Active" || status === "ActiveSync" || status === "ActiveRecover";
}

/** The shard takes writes of new blobs: owned (a shard being filled takes them too). */
export function acceptsWrites(status: ShardStatus): boolean {
  return isOwned(status);
}

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

// --- the node status as a machine ---

/** How the node stands in the committee of the new epoch (`plan_epoch_change`). */
export type Membership = "NewMember" | "ContinuingMember" | "NotMember";

/** The chain's `EpochChangeStart`, as the node has placed itself in the new committee. */
export interface NodeEpochChangeStart {
  readonly type: "EpochChangeStart";
  readonly epoch: number;
  readonly membership: Membership;
}

/** The first event the node sees after a start is more than one epoch behind the chain. */
export interface LagDetected {
  readonly type: "LagDetected";
}

/** Lagging, and the event blobs of the epochs it missed have expired. */
export interface LagDetectedWithIncompleteHistory {
  readonly type: "LagDetectedWithIncompleteHistory";
  readonly firstCompleteEpoch: number;
  readonly epochAtStart: number;
}

/** The catch-up reached the chain's epoch, where the node stands as `membership`. */
export interface CaughtUp {
  readonly type: "CaughtUp";
  readonly epoch: number;
  readonly membership: Membership;
}

/** The metadata of every certified blob is stored (`sync_certified_blob_metadata` done). */
export interface MetadataRecovered {
  readonly type: "MetadataRecovered";
}

/** Every owned shard holds every sliver up to the recovery's target epoch. */
export interface NodeRecoveryComplete {
  readonly type: "NodeRecoveryComplete";
}

/** What the node observes that changes its status. */
export type NodeStatusEvent =
  | NodeEpochChangeStart
  | LagDetected
  | LagDetectedWithIncompleteHistory
  | CaughtUp
  | MetadataRecovered
  | NodeRecoveryComplete;

/** The fields of the statuses that carry an epoch. */
export interface NodeStatusContext {
  /** `RecoveryInProgress(epoch)`: the epoch up to which the node recovers. */
  readonly recoveryEpoch: number;
  /** `RecoveryCatchUpWithIncompleteHistory`: the first epoch whose events are all available. */
  readonly firstCompleteEpoch: number;
  /** `RecoveryCatchUpWithIncompleteHistory`: the epoch the catch-up began in. */
  readonly epochAtStart: number;
}

/**
 * The node status, driven by what the node observes: its membership at each `EpochChangeStart`
 * (`node/epoch_change/plan.rs`), the lag check at startup (`check_if_node_lagging_and_enter_recovery_mode`
 * in `node.rs`), the end of its catch-up, metadata recovery and node recovery. A node starts in
 * `Standby`; a member of the first committee goes through `RecoverMetadata` like any new member.
 * Every change it makes is in {@link NODE_STATUS_TRANSITIONS}.
 */
export const nodeStatusMachine = setup({
  types: {} as { context: NodeStatusContext; events: NodeStatusEvent },
  actions: {
    setRecoveryEpoch: assign({
      recoveryEpoch: ({ context, event }) =>
        event.type === "EpochChangeStart" || event.type === "CaughtUp" ? event.epoch : context.recoveryEpoch,
    }),
    recordIncompleteHistory: assign(({ context, event }) =>
      event.type === "LagDetectedWithIncompleteHistory"
        ? { firstCompleteEpoch: event.firstCompleteEpoch, epochAtStart: event.epochAtStart }
        : context,
    ),
  },
  guards: {
    isNewMember: ({ event }) => "membership" in event && event.membership === "NewMember",
    isContinuingMember: ({ event }) => "membership" in event && event.membership === "ContinuingMember",
    isNotMember: ({ event }) => "membership" in event && event.membership === "NotMember",
  },
}).createMachine({
  id: "node-status",
  context: { recoveryEpoch: 0, firstCompleteEpoch: 0, epochAtStart: 0 },
  initial: "Standby",
  states: {
    Standby: {
      on: {
        EpochChangeStart: { guard: "isNewMember", target: "RecoverMetadata" },
        LagDetected: { target: "RecoveryCatchUp" },
        LagDetectedWithIncompleteHistory: {
          target: "RecoveryCatchUpWithIncompleteHistory",
          actions: "recordIncompleteHistory",
        },
      },
    },
    Active: {
      on: {
        EpochChangeStart: { guard: "isNotMember", target: "Standby" },
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
    RecoverMetadata: {
      on: {
        MetadataRecovered: { target: "Active" },
        EpochChangeStart: { guard: "isNotMember", target: "Standby" },
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
    RecoveryCatchUp: {
      on: {
        CaughtUp: [
          { guard: "isNotMember", target: "Standby" },
          { guard: "isNewMember", target: "RecoverMetadata" },
          { guard: "isContinuingMember", target: "RecoveryInProgress", actions: "setRecoveryEpoch" },
        ],
      },
    },
    RecoveryCatchUpWithIncompleteHistory: {
      on: {
        CaughtUp: [
          { guard: "isNotMember", target: "Standby" },
          { guard: "isNewMember", target: "RecoverMetadata" },
          { guard: "isContinuingMember", target: "RecoveryInProgress", actions: "setRecoveryEpoch" },
        ],
      },
    },
    RecoveryInProgress: {
      on: {
        NodeRecoveryComplete: { target: "Active" },
        EpochChangeStart: [
          { guard: "isNotMember", target: "Standby" },
          // still recovering at the next epoch change: the target moves to the new epoch
          { guard: "isContinuingMember", actions: "setRecoveryEpoch" },
        ],
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
  },
});

/** The {@link NodeStatus} a snapshot of {@link nodeStatusMachine} stands for. */
export function nodeStatusOf(snapshot: { value: unknown; context: NodeStatusContext }): NodeStatus {
  const kind = snapshot.value as NodeStatusKind;
  switch (kind) {
    case "RecoveryInProgress":
      return { kind, epoch: snapshot.context.recoveryEpoch };
    case "RecoveryCatchUpWithIncompleteHistory":
      return {
        kind,
        firstCompleteEpoch: snapshot.context.firstCompleteEpoch,
        epochAtStart: snapshot.context.epochAtStart,
      };
    default:
      return { kind };
  }
}

// --- the shard status as a machine ---

/**
 * What happens to one shard's storage at a node (`node/storage/shard.rs`, `shard_sync.rs`,
 * `epoch_change/plan.rs`).
 */
export type ShardStatusEvent =
  /** genesis, or a node that recovers every shard blob by blob (`force_set_active_status`) */
  | { readonly type: "ForceActive" }
  /** a gained shard: fill it from its previous owner (`record_start_shard_sync`) */
  | { readonly type: "StartShardSync" }
  /** the transfer ended with blobs left to recover, or gave up (`recovery_any_missing_slivers`) */
  | { readonly type: "RecoverMissingBlobs" }
  /** the transfer, or the recovery, holds every blob certified before the epoch */
  | { readonly type: "ShardSyncDone" }
  /** a restart tries the transfer again first (`restart_shard_sync_always_retry_transfer_first`) */
  | { readonly type: "RestartShardSync" }
  /** the shard is lost at an epoch change (`lock_shard_for_epoch_change`) */
  | { readonly type: "LockForEpochChange" };

/** Every shard-status event (none carries data), for driving the machine through all of them. */
export const SHARD_STATUS_EVENTS: readonly ShardStatusEvent[] = [
  { type: "ForceActive" },
  { type: "StartShardSync" },
  { type: "RecoverMissingBlobs" },
  { type: "ShardSyncDone" },
  { type: "RestartShardSync" },
  { type: "LockForEpochChange" },
];

/** A shard's status, driven by its sync, recovery and loss; every change is in {@link SHARD_STATUS_TRANSITIONS}. */
export const shardStatusMachine = setup({
  types: {} as { events: ShardStatusEvent },
}).createMachine({
  id: "shard-status",
  initial: "None",
  states: {
    None: {
      on: { ForceActive: { target: "Active" }, StartShardSync: { target: "ActiveSync" } },
    },
    Active: {
      on: { LockForEpochChange: { target: "LockedToMove" } },
    },
    ActiveSync: {
      on: {
        RecoverMissingBlobs: { target: "ActiveRecover" },
        ShardSyncDone: { target: "Active" },
        LockForEpochChange: { target: "LockedToMove" },
      },
    },
    ActiveRecover: {
      on: {
        ShardSyncDone: { target: "Active" },
        RestartShardSync: { target: "ActiveSync" },
        LockForEpochChange: { target: "LockedToMove" },
      },
    },
    LockedToMove: { type: "final" },
  },
});
