/**
 * The storage node: one machine, its regions side by side, each region's guards and actions in its
 * own file of `machines/node/`.
 *
 * - in: the chain's events `BlobRegistered`, `BlobCertified`, `InvalidBlobID` (numbered in the
 *   node's stream); `StoreSliverPairs` from writers; `ReadRequest` from readers;
 *   `RecoverySymbolRequest` and `VerifyInconsistencyProof` from nodes, and the answers to its own
 *   (`RecoverySymbolResponse`, `InvalidBlobAttestation`);
 * - out: `StorageConfirmation` to writers; `ReadResponse`, `RecoverySymbolResponse` and
 *   `InvalidBlobAttestation` to whoever asked; `RecoverySymbolRequest` and
 *   `VerifyInconsistencyProof` to the other members; `InvalidateBlobId` to the chain.
 *
 * Regions:
 * - `cursor` (`cursor.ts`): chain events in chain order, passed on as `chain.<event>`;
 * - one region per blob, `blob0`, `blob1`, … (`storage.ts`, `invalidation.ts`): what the node
 *   stores of the blob, confirms, heals (paper §4: secondary slivers first, then primary) and
 *   proves inconsistent; the blob's guards and actions take its position as `params.blob`;
 * - `serving` (`serving.ts`): requests about any blob, held until the node can answer them.
 *
 * `createStorageNodeMachine({ blobs })` builds the machine for a number of blobs; the node's input
 * names them. `storageNodeMachine` is the node of one blob.
 *
 * Follows paper §2.2, §3.3, §4 and `crates/walrus-service/src/node.rs`,
 * `node/blob_event_processor.rs`, `node/blob_sync.rs`, `node/committee/request_futures.rs`.
 */

import { and, not, setup } from "xstate";
import type { WalrusSource } from "../../spec/sources.js";
import { memberOf, sendMessage } from "../committee.js";
import {
  type BlobAtNode,
  type ChainStatus,
  type StorageNodeContext,
  type StorageNodeEvent,
  type StorageNodeInput,
  isWellFormed,
} from "./context.js";
import { cursorActions, cursorGuards } from "./cursor.js";
import { invalidationActions, invalidationGuards } from "./invalidation.js";
import { servingActions, servingGuards } from "./serving.js";
import { type SliverSlot, emptySlots, holdsEverything } from "./slivers.js";
import { storageActions, storageGuards } from "./storage.js";

/** The protocol sections and Walrus files the node follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["2.2", "2.3", "3.3", "4.1", "4.2"],
  files: [
    "crates/walrus-service/src/node.rs",
    "crates/walrus-service/src/node/blob_event_processor.rs",
    "crates/walrus-service/src/node/blob_sync.rs",
    "crates/walrus-service/src/node/committee/request_futures.rs",
  ],
};

/** What a node machine is built for. */
export interface StorageNodeOptions {
  /** How many blobs the node follows (its input names them); default 1. */
  readonly blobs?: number;
}

const nodeSetup = setup({
  types: {} as { context: StorageNodeContext; input: StorageNodeInput; events: StorageNodeEvent },
  actions: { send: sendMessage, ...cursorActions, ...servingActions, ...storageActions, ...invalidationActions },
  guards: {
    wellFormed: ({ event }) => isWellFormed(event),
    ...cursorGuards,
    ...servingGuards,
    ...storageGuards,
    ...invalidationGuards,
  },
});

/** The region of blob `blob`: what the node knows of it on chain, stores, heals and proves inconsistent. */
function blobRegion(blob: number) {
  const params = { blob };
  const about = { type: "aboutBlob", params } as const;
  const forBlob = { type: "forBlob", params } as const;
  const id = `#storageNode.blob${blob}`;
  return {
    initial: "awaitingSlivers",
    on: {
      "chain.BlobRegistered": { guard: about, actions: { type: "registerBlob", params } },
      "chain.BlobCertified": { guard: about, actions: { type: "certifyBlob", params } },
      "chain.InvalidBlobID": { guard: about, target: ".deleted", actions: { type: "markBlobInvalid", params } },
      StoreSliverPairs: [
        // `store_metadata` refuses a blob marked invalid.
        { guard: { type: "blobInvalid", params } },
        {
          guard: and([forBlob, { type: "metadataMatchesBlobId", params }, not({ type: "blobRegistered", params })]),
          actions: { type: "holdUpload", params },
        },
        {
          guard: and([forBlob, { type: "metadataMatchesBlobId", params }, { type: "uploadCompletesStorage", params }]),
          target: ".stored",
          actions: { type: "storeUpload", params },
        },
        {
          guard: and([forBlob, { type: "metadataMatchesBlobId", params }]),
          actions: { type: "storeUpload", params },
        },
      ],
    },
    states: {
      awaitingSlivers: {
        always: {
          guard: and([
            { type: "blobCertified", params },
            { type: "lacksSlivers", params },
          ]),
          target: "recovering",
        },
      },
      recovering: {
        entry: { type: "requestRecoverySymbols", params },
        on: {
          RecoverySymbolResponse: {
            guard: and([forBlob, "fromPeer"]),
            actions: { type: "takeRecoveryResponse", params },
            // Re-enter the current step's choice (paper §4: secondary slivers first, then primary).
            target: ".choosingStep",
          },
        },
        initial: "choosingStep",
        states: {
          choosingStep: {
            always: [
              { guard: { type: "inconsistencyFound", params }, target: `${id}.inconsistencyDetected` },
              { guard: { type: "lacksMetadata", params }, target: "awaitingMetadata" },
              { guard: { type: "lacksSecondarySlivers", params }, target: "recoveringSecondary" },
              { guard: { type: "lacksPrimarySlivers", params }, target: "recoveringPrimary" },
              { target: `${id}.stored` },
            ],
          },
          awaitingMetadata: {},
          recoveringSecondary: {
            always: {
              guard: { type: "symbolsSufficeForSecondary", params },
              target: "choosingStep",
              actions: { type: "recoverSecondarySlivers", params },
            },
          },
          recoveringPrimary: {
            always: {
              guard: { type: "symbolsSufficeForPrimary", params },
              target: "choosingStep",
              actions: { type: "recoverPrimarySlivers", params },
            },
          },
        },
      },
      stored: {
        entry: { type: "forgetSymbols", params },
        always: { guard: { type: "shouldConfirm", params }, actions: { type: "confirmStorage", params } },
      },
      // Share the proof; once enough attestations are in (this node's own first), ask the chain
      // to invalidate the blob ID.
      inconsistencyDetected: {
        entry: [
          { type: "attestOwnProof", params },
          { type: "shareInconsistencyProof", params },
        ],
        on: {
          // Once the invalidation went to the chain, further attestations change nothing.
          InvalidBlobAttestation: {
            guard: and([forBlob, "attestationIsValid", not({ type: "invalidationSubmitted", params })]),
            actions: { type: "recordAttestation", params },
          },
        },
        always: { guard: { type: "attestationsSuffice", params }, actions: { type: "invalidateBlobId", params } },
      },
      deleted: { entry: { type: "deleteBlob", params } },
    },
  } as const;
}

/** The cursor's take of a chain event: held when ahead of its turn, passed on in its turn. */
const takeChainEvent = [
  { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
  { guard: and(["wellFormed", "inChainOrder"]), target: "passing", actions: "processChainEvent" },
] as const;

/** The storage node machine for `blobs` blobs. */
export function createStorageNodeMachine({ blobs = 1 }: StorageNodeOptions = {}) {
  const regions = Object.fromEntries(Array.from({ length: blobs }, (_, i) => [`blob${i}`, blobRegion(i)]));
  return nodeSetup.createMachine({
    id: "storageNode",
    /** The node's shards from the committee; nothing stored or processed yet. */
    context: ({ input }) => {
      const shards = [...(memberOf(input.committee, input.name)?.shards ?? [])].sort((a, b) => a - b);
      return {
        ...input,
        invalidationAttestations: input.invalidationAttestations ?? "validity",
        shards,
        nextSeq: 0,
        early: [],
        held: [],
        blobs: input.blobIds.map((blobId) => ({
          blobId,
          chainStatus: "awaitingRegistration" as const,
          metadata: null,
          slivers: emptySlots(shards),
          pendingUpload: null,
          uploader: null,
          confirmed: false,
          symbols: [],
          inconsistency: null,
          attestations: [],
          invalidationSubmitted: false,
          attested: false,
        })),
      };
    },
    type: "parallel",
    states: {
      // One event at a time: the next held event waits until the regions have taken the last one
      // (and what it raised, such as an upload held for the registration, comes first).
      cursor: {
        initial: "idle",
        states: {
          idle: {
            on: { BlobRegistered: takeChainEvent, BlobCertified: takeChainEvent, InvalidBlobID: takeChainEvent },
            always: { guard: "nextEventHeld", target: "passing", actions: "processNextHeldEvent" },
          },
          passing: { on: { "chain.*": "idle" } },
        },
      },
      ...regions,
      // Requests about any blob, held until the node can answer them.
      serving: {
        on: {
          ReadRequest: { guard: "wellFormed", actions: "holdRequest" },
          RecoverySymbolRequest: { guard: "wellFormed", actions: "holdRequest" },
          VerifyInconsistencyProof: { guard: "wellFormed", actions: "holdRequest" },
        },
        always: { guard: "canAnswerHeldRequest", actions: "answerHeldRequests" },
      },
    },
  });
}

/** The storage node of one blob. */
export const storageNodeMachine = createStorageNodeMachine();

/** What properties read of the node about one blob. */
export interface BlobView {
  /** What the node knows of the blob on chain. */
  readonly chainStatus: ChainStatus;
  /** The blob's storage state (`awaitingSlivers`, `recovering`, `stored`, `inconsistencyDetected`, `deleted`). */
  readonly storage: string;
  /** The node's slivers of the blob, by shard. */
  readonly slivers: readonly SliverSlot[];
  /** Whether it stores both slivers of every shard. */
  readonly storesEverything: boolean;
  /** Whether it stores no sliver at all. */
  readonly storesNothing: boolean;
  /** The writer that uploaded to it, if one did. */
  readonly uploader: string | null;
  /** Whether it found an inconsistency proof, or attested another node's. */
  readonly foundInconsistency: boolean;
  readonly attested: boolean;
}

/** The node's view of blob `blob` (default its first), from a snapshot of a `storageNode` machine. */
export function blobView(snapshot: { readonly value: unknown; readonly context: unknown }, blob = 0): BlobView {
  const context = snapshot.context as StorageNodeContext;
  const at = context.blobs[blob] as BlobAtNode;
  const state = (snapshot.value as Record<string, unknown>)[`blob${blob}`];
  const slots = at.slivers;
  return {
    chainStatus: at.chainStatus,
    storage: typeof state === "string" ? state : (Object.keys(state as object)[0] ?? ""),
    slivers: slots,
    storesEverything: holdsEverything(at),
    storesNothing: slots.every((slot) => slot.primary === null && slot.secondary === null),
    uploader: at.uploader,
    foundInconsistency: at.inconsistency !== null,
    attested: at.attested,
  };
}
