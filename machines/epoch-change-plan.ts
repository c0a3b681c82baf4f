/**
 * What a storage node does when it processes `EpochChangeStart`: a pure function of how it stands
 * in the new committee, its node status and its shard diff, as `plan_epoch_change` decides before
 * any shard is touched.
 *
 * | membership                      | node status            | shards                                              | who attests `epoch_sync_done` |
 * | ------------------------------- | ---------------------- | --------------------------------------------------- | ----------------------------- |
 * | not a member                    | → `Standby`            | lost ones locked (`LockedToMove`, still served)      | nobody                        |
 * | new member                      | → `RecoverMetadata`    | gained ones created and filled by shard sync         | the shard sync                |
 * | continuing member, up to date   | stays                  | gained ones filled by shard sync, lost ones locked   | the shard sync if it gained, else the finisher at once |
 * | continuing member, caught up    | → `RecoveryInProgress` | every owned shard forced `Active`, recovered blob by blob | the recovery task       |
 * | already `RecoveryInProgress`    | target epoch advanced  | gained ones still filled by shard sync               | the recovery task             |
 *
 * The attestation is a token held by exactly one component (`EpochSyncDoneToken`): the finisher
 * when nothing is left to fill, otherwise the component that fills last. A plan never changes a
 * status outside the tables of `node-status.ts`: every change goes through their checks.
 *
 * Follows `crates/walrus-service/src/node/epoch_change/plan.rs` and `epoch_change.rs`; the
 * membership comes from the committees of the two epochs, the diff from `shard-assignment.ts`.
 */

import { InvalidShardAssignmentError } from "../spec/errors.js";
import { type Membership, type NodeStatus, transitionNodeStatus } from "./node-status.js";
import type { ShardDiff } from "./shard-assignment.js";

/** How a created shard is filled (`ShardFill`). */
export type ShardFill = "ShardSync" | "ForceActive";

/** The component that calls `epoch_sync_done` once the node holds its shards. */
export type SyncDoneAttester = "Finisher" | "ShardSync" | "RecoveryTask" | "Nobody";

/** What a node does at `EpochChangeStart`: its new status, the shards it creates and locks, who attests. */
export interface EpochChangePlan {
  readonly nodeStatus: NodeStatus;
  /** Shards gained, created with their fill. */
  readonly create: readonly { readonly shard: number; readonly fill: ShardFill }[];
  /** Shards lost: locked, still served to readers and to their new owner. */
  readonly lock: readonly number[];
  /** Shards held through the change that a caught-up node forces `Active` and recovers blob by blob. */
  readonly forceActive: readonly number[];
  /** Whether any recovery the node had under way is revoked (it left the committee). */
  readonly revokeRecovery: boolean;
  readonly attester: SyncDoneAttester;
}

/** The membership of a node given whether it is in the committees before and after the change. */
export function membershipOf(inPrevious: boolean, inNext: boolean): Membership {
  if (!inNext) return "NotMember";
  return inPrevious ? "ContinuingMember" : "NewMember";
}

/**
 * The plan for entering `epoch`. `caughtUp`: the node just finished replaying events it had
 * missed, so no previous owner's data can be trusted to be where the committee says.
 */
export function planEpochChange(
  membership: Membership,
  status: NodeStatus,
  diff: ShardDiff,
  epoch: number,
  caughtUp = false,
): EpochChangePlan {
  const sync = diff.gained.map((shard) => ({ shard, fill: "ShardSync" as const }));
  if (membership === "NotMember") {
    return {
      nodeStatus: transitionNodeStatus(status, { kind: "Standby" }),
      create: [],
      lock: diff.lost,
      forceActive: [],
      revokeRecovery: true,
      attester: "Nobody",
    };
  }
  if (membership === "NewMember") {
    if (diff.kept.length > 0 || diff.lost.length > 0) {
      throw new InvalidShardAssignmentError(`a new member of epoch ${epoch} cannot keep or lose shards it never held`);
    }
    return {
      nodeStatus: transitionNodeStatus(status, { kind: "RecoverMetadata" }),
      create: sync,
      lock: [],
      forceActive: [],
      revokeRecovery: false,
      attester: "ShardSync",
    };
  }
  if (caughtUp) {
    return {
      nodeStatus: transitionNodeStatus(status, { kind: "RecoveryInProgress", epoch }),
      create: diff.gained.map((shard) => ({ shard, fill: "ForceActive" as const })),
      lock: diff.lost,
      forceActive: [...diff.kept],
      revokeRecovery: false,
      attester: "RecoveryTask",
    };
  }
  if (status.kind === "RecoveryInProgress") {
    return {
      nodeStatus: transitionNodeStatus(status, { kind: "RecoveryInProgress", epoch }),
      create: sync,
      lock: diff.lost,
      forceActive: [],
      revokeRecovery: false,
      attester: "RecoveryTask",
    };
  }
  return {
    nodeStatus: transitionNodeStatus(status, status),
    create: sync,
    lock: diff.lost,
    forceActive: [],
    revokeRecovery: false,
    attester: sync.length > 0 ? "ShardSync" : "Finisher",
  };
}
