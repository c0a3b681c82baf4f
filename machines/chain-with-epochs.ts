/**
 * The chain with epochs: one actor, two regions side by side over one context. `blob` is the life
 * of one blob (`chain.ts`: registration, certification, invalidation); `epochs` is the staking
 * object's epoch state (`epochs.ts`: `EpochChangeDone` → `NextParamsSelected` → `EpochChangeSync` →
 * `EpochChangeDone`). They share the committee of the current epoch and the numbering of events:
 * when `initiate_epoch_change` makes the next committee current, the blob's certificate and
 * invalidation must come from it and name its epoch, as `system_state_inner.move` checks against
 * the system's current committee (paper §6: writes go to the new committee at once).
 *
 * - in: what `chain.ts` and `epochs.ts` take (the certificates are the blob region's);
 * - out: what they send, numbered in one chain order.
 *
 * Both regions' charts and implementations are used as they are; nothing of either is rewritten.
 */

import { setup } from "xstate";
import type { ChainEvent } from "../spec/messages.js";
import {
  type ChainContext,
  type ChainMachineEvent,
  type ChainOptions,
  type ChainView,
  NO_BLOB,
  createChainMachine,
} from "./chain.js";
import { type Subscriber, freshStreams } from "./chain-events.js";
import { CHAIN, type Committee } from "./committee.js";
import {
  type EpochChainEvent,
  type EpochsContext,
  type EpochsMachineEvent,
  createEpochsMachine,
  epochsAtGenesis,
} from "./epochs.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["6.1", "6.2", "7.2"],
  files: ["contracts/walrus/sources/system/system_state_inner.move"],
};

/** Who receives which of the chain's events, of either region. */
export type ChainWithEpochsSubscriber = Subscriber<ChainEvent["type"] | EpochChainEvent["type"]>;

/** The first committee and who follows which events. */
export interface ChainWithEpochsInput {
  /** The committee of the first epoch. */
  readonly committee: Committee;
  readonly subscribers: readonly ChainWithEpochsSubscriber[];
}

/** Both regions' contexts over one subscriber list. */
export type ChainWithEpochsContext = Omit<ChainContext, "subscribers"> &
  Omit<EpochsContext, "subscribers"> & { readonly subscribers: readonly ChainWithEpochsSubscriber[] };

/** What either region takes. */
export type ChainWithEpochsEvent = ChainMachineEvent | EpochsMachineEvent;

/** The chain with epochs; its blob region built with `options` (see `createChainMachine`). */
export function createChainWithEpochsMachine(options: ChainOptions = {}) {
  const blob = createChainMachine(options);
  const epochs = createEpochsMachine();
  // The regions' implementations, by name (no name is in both).
  const implementations = {
    actions: { ...epochs.implementations.actions, ...blob.implementations.actions },
    guards: { ...epochs.implementations.guards, ...blob.implementations.guards },
  } as unknown as Record<"actions" | "guards", Record<never, never>>;
  return setup({
    types: {} as { context: ChainWithEpochsContext; input: ChainWithEpochsInput; events: ChainWithEpochsEvent },
    actions: implementations.actions,
    guards: implementations.guards,
  }).createMachine({
    id: CHAIN,
    type: "parallel",
    /** No blob yet, the first committee's epoch, every stream at 0. */
    context: ({ input }) => ({
      subscribers: input.subscribers,
      seq: freshStreams(input.subscribers),
      ...NO_BLOB,
      ...epochsAtGenesis(input.committee),
    }),
    // the regions' charts, as their own machines define them
    states: {
      blob: { initial: blob.config.initial, states: blob.config.states },
      epochs: { initial: epochs.config.initial, states: epochs.config.states, on: epochs.config.on },
    } as unknown as Record<"blob" | "epochs", { readonly initial: string }>,
  });
}

/** The chain with epochs and every entry point. */
export const chainWithEpochsMachine = createChainWithEpochsMachine();

/** What properties read of the chain with epochs: the blob's status, the staking object's epoch state and the current epoch. */
export interface ChainWithEpochsView {
  readonly blob: ChainView["status"];
  readonly epochState: "EpochChangeDone" | "NextParamsSelected" | "EpochChangeSync";
  /** The epoch of the current committee. */
  readonly epoch: number;
}

/** The view, from a snapshot of a chain-with-epochs machine. */
export function chainWithEpochsView(snapshot: {
  readonly value: unknown;
  readonly context: unknown;
}): ChainWithEpochsView {
  const value = snapshot.value as {
    readonly blob: ChainView["status"];
    readonly epochs: ChainWithEpochsView["epochState"];
  };
  return {
    blob: value.blob,
    epochState: value.epochs,
    epoch: (snapshot.context as ChainWithEpochsContext).committee.epoch,
  };
}
