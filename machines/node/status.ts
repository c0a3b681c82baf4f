/**
 * The node's status across epochs (`NodeStatus`, `crates/walrus-service/src/node/storage.rs`): a
 * region of the storage node whose states are the implementation's statuses, and whose transitions
 * are the changes `NodeStatus::can_transition_to` allows. The table that tests and docs show,
 * {@link NODE_STATUS_TRANSITIONS}, is read off this chart, so the two cannot drift apart.
 *
 * - `Standby`: follows the chain's events, not a committee member;
 * - `Active`: a committee member, up to date;
 * - `RecoverMetadata`: just joined the committee, fetching the metadata of every blob certified
 *   before the epoch (`sync_certified_blob_metadata`); `Active` once it holds them;
 * - `RecoveryCatchUp`: fell behind the chain, replaying events; `RecoveryCatchUpWithIncompleteHistory`
 *   the same when the event blobs of the oldest epochs have expired;
 * - `RecoveryInProgress(epoch)`: caught up, recovering the slivers it misses up to `epoch`.
 *
 * What moves it: the node's membership at each `EpochChangeStart` it processes in chain order
 * (`plan_epoch_change`: joined, left, stayed), the metadata it holds, and the events of a node that
 * restarts behind the chain (`LagDetected`, `CaughtUp`, `NodeRecoveryComplete`:
 * `check_if_node_lagging_and_enter_recovery_mode` in `node.rs`), which only crash-restart models
 * raise. A node starts `Standby`; a member of the first committee goes through `RecoverMetadata`
 * like any new member, and on to `Active` as soon as it holds the metadata of the blobs certified
 * before its first epoch (in the models, none: blobs stored before the model are certified in it).
 *
 * Follows paper §6 and `node/storage.rs`, `node/epoch_change/plan.rs`, `node.rs`.
 */

import { assign } from "xstate";
import { memberOf } from "../committee.js";
import { type GuardArgs, type NodeAction, changeAt, inFirstEpoch, isMember, movedBy } from "./context.js";

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

/** How the node stands in the committee of the new epoch (`plan_epoch_change`). */
export type Membership = "NewMember" | "ContinuingMember" | "NotMember";

/** The membership of a node given whether it is in the committees before and after the change. */
export function membershipOf(inPrevious: boolean, inNext: boolean): Membership {
  if (!inNext) return "NotMember";
  return inPrevious ? "ContinuingMember" : "NewMember";
}

/** A restarted node sees the chain more than one epoch ahead of the events it processed. */
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

/** Every owned shard holds every sliver up to the recovery's target epoch. */
export interface NodeRecoveryComplete {
  readonly type: "NodeRecoveryComplete";
}

/** The events of a node behind the chain (raised by a restart; `chain.EpochChangeStart` moves the status too). */
export type NodeStatusEvent = LagDetected | LagDetectedWithIncompleteHistory | CaughtUp | NodeRecoveryComplete;

/** The fields of the statuses that carry data. */
export interface NodeStatusDetail {
  /** `RecoveryInProgress(epoch)`: the epoch up to which the node recovers. */
  readonly recoveryEpoch: number | null;
  /** `RecoveryCatchUpWithIncompleteHistory`: the first epoch whose events are all available, and the epoch the catch-up began in. */
  readonly incompleteHistory: { readonly firstCompleteEpoch: number; readonly epochAtStart: number } | null;
}

/** The membership the node takes into the epoch of a `chain.EpochChangeStart` (or of `CaughtUp`). */
function membershipAt(args: GuardArgs): Membership | undefined {
  if (args.event.type === "CaughtUp") return args.event.membership;
  const c = changeAt(args);
  const name = args.context.name;
  return c && membershipOf(memberOf(c.previous, name) !== undefined, memberOf(c.next, name) !== undefined);
}

/** The status region's guards. */
export const statusGuards = {
  /** A member of the new epoch's committee that was not one of the last. */
  joinsCommittee: (args: GuardArgs) => membershipAt(args) === "NewMember",
  /** A member of both committees. */
  staysInCommittee: (args: GuardArgs) => membershipAt(args) === "ContinuingMember",
  /** Not a member of the new epoch's committee. */
  leavesCommittee: (args: GuardArgs) => membershipAt(args) === "NotMember",
  /** A member of the first committee, still in the first epoch: its start is its joining. */
  firstCommitteeMember: ({ context }: GuardArgs) => inFirstEpoch(context) && isMember(context),
  /**
   * The node holds the metadata of every blob certified before the epoch and not invalidated
   * (`sync_certified_blob_metadata` done).
   */
  metadataRecovered: ({ context }: GuardArgs) =>
    context.blobs.every((blob) => !movedBy(blob, context.committee.epoch) || blob.metadata !== null),
};

/** The status region's actions: the data some statuses carry. */
export const statusActions: Record<"setRecoveryEpoch" | "recordIncompleteHistory", NodeAction> = {
  setRecoveryEpoch: assign(({ context, event }) =>
    event.type === "chain.EpochChangeStart" || event.type === "CaughtUp" ? { recoveryEpoch: event.epoch } : context,
  ),
  recordIncompleteHistory: assign(({ context, event }) =>
    event.type === "LagDetectedWithIncompleteHistory"
      ? { incompleteHistory: { firstCompleteEpoch: event.firstCompleteEpoch, epochAtStart: event.epochAtStart } }
      : context,
  ),
};

/** Where a caught-up node goes, by its membership at the chain's epoch. */
const caughtUp = [
  { guard: "leavesCommittee", target: "Standby" },
  { guard: "joinsCommittee", target: "RecoverMetadata" },
  { guard: "staysInCommittee", target: "RecoveryInProgress", actions: "setRecoveryEpoch" },
] as const;

/** The status region: one state per `NodeStatus`, its transitions the implementation's legal changes. */
export const statusRegion = {
  initial: "Standby",
  states: {
    Standby: {
      always: { guard: "firstCommitteeMember", target: "RecoverMetadata" },
      on: {
        "chain.EpochChangeStart": { guard: "joinsCommittee", target: "RecoverMetadata" },
        LagDetected: { target: "RecoveryCatchUp" },
        LagDetectedWithIncompleteHistory: {
          target: "RecoveryCatchUpWithIncompleteHistory",
          actions: "recordIncompleteHistory",
        },
      },
    },
    Active: {
      on: {
        "chain.EpochChangeStart": { guard: "leavesCommittee", target: "Standby" },
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
    RecoverMetadata: {
      always: { guard: "metadataRecovered", target: "Active" },
      on: {
        "chain.EpochChangeStart": { guard: "leavesCommittee", target: "Standby" },
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
    RecoveryCatchUp: { on: { CaughtUp: caughtUp } },
    RecoveryCatchUpWithIncompleteHistory: { on: { CaughtUp: caughtUp } },
    RecoveryInProgress: {
      on: {
        NodeRecoveryComplete: { target: "Active" },
        "chain.EpochChangeStart": [
          { guard: "leavesCommittee", target: "Standby" },
          // still recovering at the next epoch change: the target moves to the new epoch
          { guard: "staysInCommittee", actions: "setRecoveryEpoch" },
        ],
        LagDetected: { target: "RecoveryCatchUp" },
      },
    },
  },
} as const;

/** Every node status kind: the states of the chart. */
export const NODE_STATUS_KINDS = Object.keys(statusRegion.states) as NodeStatusKind[];

/**
 * The changes a chart's transitions make from each state to another: the targets of its `on` and
 * `always` transitions (a transition without a target, or to its own state, changes nothing).
 */
export function transitionTable<S extends string>(states: Readonly<Record<S, object>>): Record<S, S[]> {
  const targetsOf = (node: unknown): string[] => {
    if (node === undefined) return [];
    if (Array.isArray(node)) return node.flatMap(targetsOf);
    const target = (node as { target?: string }).target;
    return target === undefined ? [] : [target];
  };
  const table = {} as Record<S, S[]>;
  for (const [state, config] of Object.entries(states) as [S, { on?: Record<string, unknown>; always?: unknown }][]) {
    const targets = [...Object.values(config.on ?? {}).flatMap(targetsOf), ...targetsOf(config.always)];
    table[state] = [...new Set(targets)].filter((target) => target !== state).sort() as S[];
  }
  return table;
}

/** The changes of node status to another status: read off {@link statusRegion}. */
export const NODE_STATUS_TRANSITIONS: Readonly<Record<NodeStatusKind, readonly NodeStatusKind[]>> = transitionTable(
  statusRegion.states,
);

/** Whether a node in status `from` may be set to `to` (the same status is always allowed). */
export function nodeStatusCanTransitionTo(from: NodeStatus, to: NodeStatus): boolean {
  return from.kind === to.kind || NODE_STATUS_TRANSITIONS[from.kind].includes(to.kind);
}

/** The node's status from its status region's state and the data its context keeps. */
export function nodeStatusOf(kind: NodeStatusKind, detail: NodeStatusDetail): NodeStatus {
  switch (kind) {
    case "RecoveryInProgress":
      return { kind, epoch: detail.recoveryEpoch ?? 0 };
    case "RecoveryCatchUpWithIncompleteHistory":
      return { kind, firstCompleteEpoch: 0, epochAtStart: 0, ...detail.incompleteHistory };
    default:
      return { kind };
  }
}
