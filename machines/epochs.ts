/**
 * The chain's epochs: the staking object's epoch state, from the selection of the next committee
 * through the start of the epoch to the completion of the shard handover. Certificates are the
 * blob's concern (`chain.ts`), checked against the committee this machine makes current; the two
 * are one chain in `chain-with-epochs.ts`.
 *
 * - in: `VotingEnd` (permissionless: the next committee's shard counts, chosen by stake, which is
 *   not modelled), `InitiateEpochChange` (permissionless), `EpochSyncDone` from storage nodes;
 * - out: `EpochParametersSelected`, `EpochChangeStart`, `ShardsReceived` and `EpochChangeDone` to
 *   the subscribers of each, numbered in chain order.
 *
 * The states are the contract's `EpochState`:
 *
 *     EpochChangeDone ──VotingEnd──▶ NextParamsSelected ──InitiateEpochChange──▶ EpochChangeSync(weight)
 *           ▲                                                                          │
 *           └──────── EpochSyncDone bringing the weight to 2f + 1 shards ──────────────┘
 *
 * `VotingEnd` fixes the next committee: the shard counts go through `transitionCommittee`
 * (`shard-assignment.ts`), which keeps every shard it can where it is. `InitiateEpochChange` makes
 * it the committee: the epoch advances, the committee of the ending epoch becomes the previous
 * committee (which still serves reads of the blobs certified before, paper §6), and the sync weight
 * starts at 0. Each member of the new committee calls `epoch_sync_done` for the current epoch once
 * it holds all its shards; its shards count once, however often it calls (the contract records
 * the epoch of a node's last call in its capability and refuses a second one); a call from a node
 * outside the committee or for another epoch is refused. A member may still call after the change
 * is done (it is recorded and announced, and weighs nothing). Once the members that called hold
 * 2f + 1 shards (`is_quorum`), the change is done and the next voting may end.
 *
 * During `EpochChangeSync` the current committee is the new one, so certificates (`chain.ts`: 2f + 1
 * shards of the current committee, naming the current epoch) come from it: writes go to the new
 * committee at once (paper §6).
 *
 * Follows paper §6 (reconfiguration: writes to the new committee at once, reads of older blobs from
 * the old one until 2f + 1 shards' worth of the new committee signal that they hold their shards)
 * and `contracts/walrus/sources/staking/staking_inner.move` (`EpochState`, `voting_end`,
 * `initiate_epoch_change`, `epoch_sync_done`), `staking/committee.move` (`transition`). Time is not modelled: `voting_end` and `initiate_epoch_change` may be
 * called whenever the state allows (the contract further waits for half an epoch and an epoch).
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import type { ActorName, EpochSyncDone, InitiateEpochChange, VotingEnd } from "../spec/messages.js";
import { isQuorum } from "../spec/params.js";
import { type Subscriber, enqueueAnnouncement, freshStreams } from "./chain-events.js";
import { CHAIN, type Committee, memberOf, sendMessage, weightOf, withName } from "./committee.js";
import { invalidShardCounts, transitionCommittee } from "./shard-assignment.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["6.1", "6.2", "7.2"],
  files: ["contracts/walrus/sources/staking/staking_inner.move", "contracts/walrus/sources/staking/committee.move"],
};

// --- messages ---

/** The events of the epoch machine, as the chain emits them (without `to` and `seq`). */
export type EpochChainEvent =
  | { readonly type: "EpochParametersSelected"; readonly nextEpoch: number }
  | { readonly type: "EpochChangeStart"; readonly epoch: number }
  | { readonly type: "ShardsReceived"; readonly epoch: number; readonly shards: readonly number[] }
  | { readonly type: "EpochChangeDone"; readonly epoch: number };

/** What the staking object takes: the permissionless calls and the nodes' attestations. */
export type EpochsMachineEvent = VotingEnd | InitiateEpochChange | EpochSyncDone;

// --- context ---

/** Who receives which of the epoch events. */
export type EpochSubscriber = Subscriber<EpochChainEvent["type"]>;

/** The first committee and who follows which epoch events. */
export interface EpochsInput {
  /** The committee of the first epoch. */
  readonly committee: Committee;
  readonly subscribers: readonly EpochSubscriber[];
}

/** The committees, the change under way (its sync weight, who attested) and the event streams' numbering. */
export interface EpochsContext {
  readonly subscribers: readonly EpochSubscriber[];
  /** The next number of each subscriber's event stream (`chain-events.ts`). */
  readonly seq: readonly number[];

  // committees
  /** The committee of the current epoch (`committee.epoch` is the current epoch). */
  readonly committee: Committee;
  /** The committee of the epoch before, which serves reads of older blobs until the change is done. */
  readonly previousCommittee: Committee | null;
  /** The committee `VotingEnd` selected, until `InitiateEpochChange` makes it current. */
  readonly nextCommittee: Committee | null;

  // shard handover
  /** `EpochChangeSync(weight)`: shards of the members that called `epoch_sync_done` during the sync. */
  readonly weightAttested: number;
  /** The members that called `epoch_sync_done` for the current epoch (each capability's last call). */
  readonly syncDone: readonly ActorName[];
}

/** The epoch state of a chain whose first committee is `committee`: no change under way. */
export function epochsAtGenesis(committee: Committee): Omit<EpochsContext, "subscribers" | "seq"> {
  return {
    committee,
    previousCommittee: null,
    nextCommittee: null,
    weightAttested: 0,
    syncDone: [],
  };
}

/** The epochs machine: the staking object's `EpochState` and its events. */
export function createEpochsMachine() {
  return setup({
    types: {} as { context: EpochsContext; input: EpochsInput; events: EpochsMachineEvent },
    actions: {
      send: sendMessage,
      selectNextCommittee: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== "VotingEnd") return;
        enqueue.assign({ nextCommittee: transitionCommittee(context.committee, event.counts) });
        enqueueAnnouncement(enqueue, context, {
          type: "EpochParametersSelected",
          nextEpoch: context.committee.epoch + 1,
        });
      }),
      advanceEpoch: enqueueActions(({ context, enqueue }) => {
        const next = context.nextCommittee as Committee;
        enqueue.assign({
          previousCommittee: context.committee,
          committee: next,
          nextCommittee: null,
          weightAttested: 0,
          syncDone: [],
        });
        enqueueAnnouncement(enqueue, context, { type: "EpochChangeStart", epoch: next.epoch });
      }),
      recordSyncDone: enqueueActions(({ context, event, enqueue }) => {
        if (event.type !== "EpochSyncDone") return;
        const shards = memberOf(context.committee, event.node)?.shards ?? [];
        enqueue.assign({ syncDone: withName(context.syncDone, event.node) });
        enqueueAnnouncement(enqueue, context, {
          type: "ShardsReceived",
          epoch: context.committee.epoch,
          shards,
        });
      }),
      addSyncWeight: assign({
        weightAttested: ({ context, event }) =>
          context.weightAttested + (event.type === "EpochSyncDone" ? weightOf(context.committee, [event.node]) : 0),
      }),
      announceEpochChangeDone: enqueueActions(({ context, enqueue }) => {
        enqueueAnnouncement(enqueue, context, { type: "EpochChangeDone", epoch: context.committee.epoch });
      }),
    },
    guards: {
      /** The counts assign every shard once, to distinct nodes (else `voting_end` aborts). */
      countsAssignEveryShard: ({ context, event }) =>
        event.type === "VotingEnd" && invalidShardCounts(context.committee, event.counts) === null,
      /** `epoch_sync_done` names the current epoch (`EInvalidSyncEpoch`). */
      syncForCurrentEpoch: ({ context, event }) =>
        event.type === "EpochSyncDone" && event.epoch === context.committee.epoch,
      /** The caller is a member of the current committee (`ENotInCommittee`). */
      callerInCommittee: ({ context, event }) =>
        event.type === "EpochSyncDone" && memberOf(context.committee, event.node) !== undefined,
      /** The caller has already called for this epoch (`EDuplicateSyncDone`). */
      alreadySyncedThisEpoch: ({ context, event }) =>
        event.type === "EpochSyncDone" && context.syncDone.includes(event.node),
      /** With the caller's shards, the weight attested reaches 2f + 1 shards (`is_quorum`). */
      syncWeightReachesQuorum: ({ context, event }) =>
        event.type === "EpochSyncDone" &&
        isQuorum(context.weightAttested + weightOf(context.committee, [event.node]), context.committee.nShards),
    },
  }).createMachine({
    id: `${CHAIN}-epochs`,
    /** The first committee's epoch, done; every stream at 0. */
    context: ({ input }) => ({
      subscribers: input.subscribers,
      seq: freshStreams(input.subscribers),
      ...epochsAtGenesis(input.committee),
    }),
    initial: "EpochChangeDone",
    // In every state: late `epoch_sync_done` calls.
    on: {
      EpochSyncDone: {
        guard: and(["syncForCurrentEpoch", "callerInCommittee", not("alreadySyncedThisEpoch")]),
        actions: "recordSyncDone",
      },
    },
    states: {
      EpochChangeDone: {
        on: {
          VotingEnd: { guard: "countsAssignEveryShard", target: "NextParamsSelected", actions: "selectNextCommittee" },
        },
      },
      NextParamsSelected: {
        on: {
          InitiateEpochChange: { target: "EpochChangeSync", actions: "advanceEpoch" },
        },
      },
      EpochChangeSync: {
        on: {
          EpochSyncDone: [
            {
              guard: and([
                "syncForCurrentEpoch",
                "callerInCommittee",
                not("alreadySyncedThisEpoch"),
                "syncWeightReachesQuorum",
              ]),
              target: "EpochChangeDone",
              actions: ["addSyncWeight", "recordSyncDone", "announceEpochChangeDone"],
            },
            {
              guard: and(["syncForCurrentEpoch", "callerInCommittee", not("alreadySyncedThisEpoch")]),
              actions: ["addSyncWeight", "recordSyncDone"],
            },
          ],
        },
      },
    },
  });
}

/** The epochs machine. */
export const epochsMachine = createEpochsMachine();

/**
 * The committee that serves reads of a blob certified in `certifiedEpoch`
 * (`active_committees.rs`, `read_committee`): during the sync, blobs certified before the current
 * epoch are read from the previous committee; otherwise from the current one.
 */
export function readCommittee(
  context: Pick<EpochsContext, "committee" | "previousCommittee">,
  transitioning: boolean,
  certifiedEpoch: number,
): Committee {
  return transitioning && certifiedEpoch < context.committee.epoch && context.previousCommittee !== null
    ? context.previousCommittee
    : context.committee;
}
