/**
 * Drivers for the machines no model of the catalogue runs as an actor (see report/coverage-drivers.ts
 * for what a driver is). Each says where its input and events come from: a region of a machine the
 * models do run, or the machine's own events when it is a table drawn as a chart, driven in the
 * storage node by plain functions rather than as an actor.
 */

import type { EventObject } from "xstate";
import { type Membership, type NodeStatusEvent, SHARD_STATUS_EVENTS } from "../machines/node-status.js";
import type { Driver, Drivers } from "./coverage-drivers.js";

const MEMBERSHIPS: readonly Membership[] = ["NewMember", "ContinuingMember", "NotMember"];

/**
 * Every node-status event: each membership at each of two epochs, so that a recovery target can
 * move. `epoch-change-node.ts` applies the same changes with `transitionNodeStatus`.
 */
const NODE_STATUS_EVENTS: readonly NodeStatusEvent[] = [
  ...[1, 2].flatMap((epoch) =>
    MEMBERSHIPS.flatMap((membership): NodeStatusEvent[] => [
      { type: "EpochChangeStart", epoch, membership },
      { type: "CaughtUp", epoch, membership },
    ]),
  ),
  { type: "LagDetected" },
  { type: "LagDetectedWithIncompleteHistory", firstCompleteEpoch: 1, epochAtStart: 2 },
  { type: "MetadataRecovered" },
  { type: "NodeRecoveryComplete" },
];

const ownEvents = (label: string, events: readonly EventObject[]): Driver => ({
  label,
  input: undefined,
  events,
  runs: [],
});

/**
 * The drivers of the machines no model runs, given the drivers the models give. `epochs` is the
 * `epochs` region of the chain with epochs, which the epoch-change models run: its input (the first
 * committee, the subscribers) and events (`VotingEnd`, `InitiateEpochChange`, `EpochSyncDone`,
 * certificates) are the chain actor's.
 */
export function ownDrivers(fromModels: Drivers): Map<string, readonly Driver[]> {
  return new Map<string, readonly Driver[]>([
    [
      "epochs",
      (fromModels.get("chain-with-epochs") ?? []).flatMap(({ snapshot, ...driver }) =>
        snapshot === undefined ? [{ ...driver, label: `${driver.label}, the chain with epochs` }] : [],
      ),
    ],
    ["node-status", [ownEvents("every node-status event", NODE_STATUS_EVENTS)]],
    ["shard-status", [ownEvents("every shard-status event", SHARD_STATUS_EVENTS)]],
  ]);
}
