/**
 * The chain-event cursor: a node processes the chain's events in the order the chain numbered them,
 * whatever order the network delivers them in (`node/blob_event_processor.rs`, the event cursor).
 * An event ahead of its turn is held; the event whose turn it is goes to the regions, raised as
 * `chain.<event>`, and the cursor moves on — to an event it holds already, if any. No other region
 * reads a sequence number.
 *
 * Events: `BlobRegistered`, `BlobCertified`, `InvalidBlobID`, the epoch events
 * (`EpochChangeStart`, `EpochChangeDone`, `EpochParametersSelected`, `ShardsReceived`) and the
 * storage challenge's `ChallengeStart` and `ChallengeEnd` from the chain, each numbered in the
 * node's stream (`machines/chain-events.ts`). Raises each as `chain.<event>`;
 * `EpochParametersSelected` and `ShardsReceived` change nothing at a node
 * (`process_epoch_parameters_selected` schedules a call, `ShardsReceived` informs) but still take
 * their place in the order.
 */

import { match } from "ts-pattern";
import { assign, enqueueActions } from "xstate";

import { chainOrderGuards, takeNextHeldEvent, withEarlyEvent } from "../chain-order.js";
import type { ChainEventInOrder, NodeAction, NodeChainEvent, StorageNodeEvent } from "./context.js";

/** The chain event under its in-order name. */
const inOrder = (event: NodeChainEvent): ChainEventInOrder =>
  match(event)
    .returnType<ChainEventInOrder>()
    .with({ type: "BlobRegistered" }, (e) => ({ ...e, type: "chain.BlobRegistered" }))
    .with({ type: "BlobCertified" }, (e) => ({ ...e, type: "chain.BlobCertified" }))
    .with({ type: "BlobDeleted" }, (e) => ({ ...e, type: "chain.BlobDeleted" }))
    .with({ type: "InvalidBlobID" }, (e) => ({ ...e, type: "chain.InvalidBlobID" }))
    .with({ type: "EpochChangeStart" }, (e) => ({ ...e, type: "chain.EpochChangeStart" }))
    .with({ type: "EpochChangeDone" }, (e) => ({ ...e, type: "chain.EpochChangeDone" }))
    .with({ type: "EpochParametersSelected" }, (e) => ({ ...e, type: "chain.EpochParametersSelected" }))
    .with({ type: "ShardsReceived" }, (e) => ({ ...e, type: "chain.ShardsReceived" }))
    .with({ type: "ChallengeStart" }, (e) => ({ ...e, type: "chain.ChallengeStart" }))
    .with({ type: "ChallengeEnd" }, (e) => ({ ...e, type: "chain.ChallengeEnd" }))
    .exhaustive();

/** The chain events about blobs a node's cursor takes. */
export const BLOB_CHAIN_EVENTS = [
  "BlobRegistered",
  "BlobCertified",
  "BlobDeleted",
  "InvalidBlobID",
] as const satisfies readonly NodeChainEvent["type"][];

/** The chain events about epochs a node built with epochs takes. */
export const EPOCH_CHAIN_EVENTS = [
  "EpochChangeStart",
  "EpochChangeDone",
  "EpochParametersSelected",
  "ShardsReceived",
] as const satisfies readonly NodeChainEvent["type"][];

/** The storage challenge's notices a node built with the challenge takes. */
export const CHALLENGE_CHAIN_EVENTS = [
  "ChallengeStart",
  "ChallengeEnd",
] as const satisfies readonly NodeChainEvent["type"][];

/** Every chain event a node's cursor may take. */
const NODE_CHAIN_EVENTS: readonly string[] = [...BLOB_CHAIN_EVENTS, ...EPOCH_CHAIN_EVENTS, ...CHALLENGE_CHAIN_EVENTS];

/** Whether the node's event is one of the chain's (the chart routes only those to the cursor). */
const isChainEvent = (event: StorageNodeEvent): event is NodeChainEvent => NODE_CHAIN_EVENTS.includes(event.type);

/** The cursor's guards: the event is next in chain order, ahead of it, or the next one is already held. */
export const cursorGuards = chainOrderGuards;

/** The cursor's actions. */
export const cursorActions: Record<"holdEarlyEvent" | "processChainEvent" | "processNextHeldEvent", NodeAction> = {
  /** Keep an event that came before its turn. */
  holdEarlyEvent: assign({
    early: ({ context, event }) => (isChainEvent(event) ? withEarlyEvent(context, event) : [...context.early]),
  }),
  /** Pass the event whose turn it is to the regions, and move on. */
  processChainEvent: enqueueActions(({ context, event, enqueue }) => {
    if (!isChainEvent(event)) return;
    enqueue.assign({ nextSeq: context.nextSeq + 1 });
    enqueue.raise(inOrder(event));
  }),
  /** Pass the held event whose turn it is to the regions, and move on. */
  processNextHeldEvent: enqueueActions(({ context, enqueue }) => {
    const { next, early } = takeNextHeldEvent(context);
    enqueue.assign({ early, nextSeq: context.nextSeq + 1 });
    enqueue.raise(inOrder(next));
  }),
};
