/**
 * The permissionless calls that move the chain from one epoch to the next: `voting_end` once the
 * last change is done, `initiate_epoch_change` once the next committee is selected, for each of a
 * list of planned changes, and then nothing.
 *
 * - in: `EpochParametersSelected` and `EpochChangeDone` from the chain;
 * - out: `VotingEnd` (with the planned shard counts: the apportionment by stake is not modelled)
 *   and `InitiateEpochChange` to the chain.
 *
 * Follows `crates/walrus-service/src/node/epoch_change_driver.rs` (`EpochChangeDriver`: it schedules
 * `voting_end` after `EpochChangeDone` and `initiate_epoch_change` after `EpochParametersSelected`).
 * The driver waits for no clock: time is not modelled, so an epoch starts as soon as the chain
 * allows, racing whatever the nodes, writers and readers do. The list of changes bounds the epochs
 * a model explores.
 */

import { assign, setup } from "xstate";
import { CHAIN, sendMessage } from "./committee.js";
import type { ShardCount } from "./shard-assignment.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["6.2"],
  files: ["crates/walrus-service/src/node/epoch_change_driver.rs"],
};

/** The epoch changes the driver makes, in order. */
export interface EpochDriverInput {
  /** The shard counts of each next committee, in order. */
  readonly changes: readonly (readonly ShardCount[])[];
}

/** The changes and how far the driver has come. */
export interface EpochDriverContext extends EpochDriverInput {
  /** The change under way or next: an index into `changes`. */
  readonly next: number;
}

/** The chain's events the driver waits for. */
export type EpochDriverEvent =
  | { readonly type: "EpochParametersSelected"; readonly nextEpoch: number }
  | { readonly type: "EpochChangeDone"; readonly epoch: number };

/** The permissionless epoch calls, one planned change after another, until none is left. */
export const epochDriverMachine = setup({
  types: {} as { context: EpochDriverContext; input: EpochDriverInput; events: EpochDriverEvent },
  actions: { send: sendMessage, countChangeDone: assign({ next: ({ context }) => context.next + 1 }) },
  guards: {
    changesLeft: ({ context }) => context.next < context.changes.length,
  },
}).createMachine({
  id: "epochDriver",
  /** The first planned change next. */
  context: ({ input }) => ({ ...input, next: 0 }),
  initial: "choosing",
  states: {
    choosing: { always: [{ guard: "changesLeft", target: "votingEnd" }, { target: "done" }] },
    votingEnd: {
      entry: {
        type: "send",
        /** The next planned change's shard counts. */
        params: ({ context }) => ({ to: CHAIN, type: "VotingEnd", counts: context.changes[context.next] }),
      },
      on: { EpochParametersSelected: { target: "initiating" } },
    },
    initiating: {
      entry: { type: "send", params: { to: CHAIN, type: "InitiateEpochChange" } },
      on: { EpochChangeDone: { target: "choosing", actions: "countChangeDone" } },
    },
    done: { type: "final" },
  },
});
