/**
 * The node's view of the epochs (paper §6): which committee is current, whether the change to it
 * is done, and the node's `epoch_sync_done` once it holds its shards.
 *
 * On `EpochChangeStart` (in chain order) the node takes the new committee as its own: writes go
 * to it at once, and the shard regions (`shards.ts`) lock the shards the node lost and start
 * filling those it gained, while the status region (`status.ts`) follows its membership. Until
 * `EpochChangeDone`, blobs certified before the epoch are served by the previous committee
 * (`read_committee`, `servingCommittee`): the node asks that one for their recovery symbols.
 *
 * The attestation, once per epoch, by an `Active` member: `attestWhen` `allShardsActive` (the
 * paper: once every owned shard is `Active`) or `noTaskRunning` (the implementation's finisher,
 * which attests once no sync or recovery task runs: a shard whose filling failed for good in an
 * earlier epoch no longer holds it back, although the node does not hold it; `plan.rs`, WAL-1271).
 *
 * Follows paper §6.1 and `crates/walrus-service/src/node/epoch_change.rs`,
 * `epoch_change/start_epoch_change_finisher.rs`, `walrus-sdk/src/active_committees.rs`.
 */

import { and, assign, enqueueActions, stateIn } from "xstate";
import { CHAIN, type Committee } from "../committee.js";
import { type GuardArgs, type NodeAction, type StorageNodeContext, committeeOf, ownedShards } from "./context.js";

/** The committee that serves a blob certified in `certifiedEpoch` (`read_committee`), as this node sees the chain. */
export function servingCommittee(context: StorageNodeContext, certifiedEpoch: number): Committee {
  const previous = committeeOf(context, context.committee.epoch - 1);
  return !context.changeDone && certifiedEpoch < context.committee.epoch && previous !== undefined
    ? previous
    : context.committee;
}

/** The epoch region's guards. */
export const epochGuards = {
  /** An epoch event about an epoch the node knows the committee of (`EpochParametersSelected`, `ShardsReceived` pass). */
  knownEpoch: ({ context, event }: GuardArgs) =>
    (event.type !== "EpochChangeStart" && event.type !== "EpochChangeDone") ||
    committeeOf(context, event.epoch) !== undefined,
  /** The node may call `epoch_sync_done` now (see the header's variants); the region asks it only of an `Active` member. */
  readyToAttest: ({ context }: GuardArgs) => {
    const epoch = context.committee.epoch;
    if (context.attestedEpoch >= epoch) return false;
    return ownedShards(context).every(
      (shard) =>
        shard.status === "Active" ||
        (context.attestWhen === "noTaskRunning" && shard.failedIn !== null && shard.failedIn < epoch),
    );
  },
};

/** The epoch region's actions. */
export const epochActions: Record<"enterEpoch" | "endEpochChange" | "attestEpochSyncDone", NodeAction> = {
  /** The new epoch's committee is the node's from now on; the change is under way. */
  enterEpoch: assign(({ context, event }) =>
    event.type === "chain.EpochChangeStart"
      ? { committee: committeeOf(context, event.epoch) ?? context.committee, changeDone: false }
      : {},
  ),
  /** The change is done: blobs certified before it are served by this committee. */
  endEpochChange: assign(({ context, event }) =>
    event.type === "chain.EpochChangeDone" && event.epoch === context.committee.epoch ? { changeDone: true } : {},
  ),
  attestEpochSyncDone: enqueueActions(({ context, enqueue }) => {
    const epoch = context.committee.epoch;
    enqueue({ type: "send", params: { to: CHAIN, type: "EpochSyncDone", node: context.name, epoch } });
    enqueue.assign({ attestedEpoch: epoch });
  }),
};

/** The epoch region: the current committee, the end of its change, and the attestation of an `Active` member. */
export const epochRegion = {
  on: {
    "chain.EpochChangeStart": { actions: "enterEpoch" },
    "chain.EpochChangeDone": { actions: "endEpochChange" },
  },
  always: { guard: and([stateIn({ status: "Active" }), "readyToAttest"]), actions: "attestEpochSyncDone" },
} as const;
