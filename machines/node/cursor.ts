/**
 * The chain-event cursor: a node processes the chain's events in the order the chain numbered them,
 * whatever order the network delivers them in (`node/blob_event_processor.rs`, the event cursor).
 * An event ahead of its turn is held; the event whose turn it is goes to the regions, raised as
 * `chain.<event>`, and the cursor moves on — to an event it holds already, if any. No other region
 * reads a sequence number.
 *
 * Events: `BlobRegistered`, `BlobCertified`, `InvalidBlobID` from the chain, each numbered in the
 * node's stream (`machines/chain-events.ts`). Raises: `chain.BlobRegistered`, `chain.BlobCertified`,
 * `chain.InvalidBlobID`.
 */

import { match } from "ts-pattern";
import { assign, enqueueActions } from "xstate";
import type { ChainEvent } from "../../spec/messages.js";
import { chainOrderGuards, takeNextHeldEvent, withEarlyEvent } from "../chain-order.js";
import type { ChainEventInOrder, NodeAction, StorageNodeEvent } from "./context.js";

/** The chain event under its in-order name. */
const inOrder = (event: ChainEvent): ChainEventInOrder =>
  match(event)
    .returnType<ChainEventInOrder>()
    .with({ type: "BlobRegistered" }, (e) => ({ ...e, type: "chain.BlobRegistered" }))
    .with({ type: "BlobCertified" }, (e) => ({ ...e, type: "chain.BlobCertified" }))
    .with({ type: "InvalidBlobID" }, (e) => ({ ...e, type: "chain.InvalidBlobID" }))
    .exhaustive();

/** Whether the node's event is one of the chain's (the chart routes only those to the cursor). */
const isChainEvent = (event: StorageNodeEvent): event is ChainEvent =>
  event.type === "BlobRegistered" || event.type === "BlobCertified" || event.type === "InvalidBlobID";

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
