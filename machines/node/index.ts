/**
 * The storage node: one machine, its regions side by side, each region's guards and actions in its
 * own file of `machines/node/`.
 *
 * - in: the chain's events `BlobRegistered`, `BlobCertified`, `InvalidBlobID`, the epoch events and
 *   the challenge's (numbered in the node's stream); `StoreSliverPairs` from writers;
 *   `ReadRequest` from readers;
 *   `RecoverySymbolRequest`, `VerifyInconsistencyProof` and `ShardSyncRequest` from nodes, and the
 *   answers to its own (`RecoverySymbolResponse`, `InvalidBlobAttestation`, `ShardSyncResponse`);
 *   `ShardSyncTimeout`, `ShardSyncFails` from the environment; the challenge's messages from nodes;
 * - out: `StorageConfirmation` to writers; `ReadResponse`, `RecoverySymbolResponse`,
 *   `InvalidBlobAttestation` and `ShardSyncResponse` to whoever asked; `RecoverySymbolRequest`,
 *   `VerifyInconsistencyProof` and `ShardSyncRequest` to other nodes; `InvalidateBlobId` and
 *   `EpochSyncDone` to the chain; the challenge's messages to nodes and `ChallengeCertificate` to
 *   the chain.
 *
 * Regions:
 * - `cursor` (`cursor.ts`): chain events in chain order, passed on as `chain.<event>`;
 * - with `epochs`: `epoch` (`epochs.ts`: the current committee, `epoch_sync_done`), `status`
 *   (`status.ts`: `NodeStatus`) and one region per shard of the system, `shard0`, `shard1`, …
 *   (`shards.ts`: `ShardStatus`, the transfer that fills a gained shard);
 * - one region per blob, `blob0`, `blob1`, … (its chart in `blob-region.ts`, its guards and actions
 *   in `storage.ts`, `invalidation.ts`): what the node stores of the blob, confirms, heals (paper
 *   §4: secondary slivers first, then primary) and proves inconsistent; the blob's guards and
 *   actions take its position as `params.blob`;
 * - `serving` (`serving.ts`): requests about any blob or shard, held until the node can answer them;
 * - with `challenge`: `challenge` (`challenge.ts`, its record in `challenge-context.ts`, its codec
 *   work in `challenge-codec.ts`): the storage challenge, its `mode` `idle` → `challenged`
 *   (challenge mode: `serving` withholds the challenged blobs) → `ended`, beside the node's `proof`
 *   and its check of the others'.
 *
 * `createStorageNodeMachine({ blobs, epochs, challenge })` builds the machine with the regions a
 * model needs: a number of blobs (the node's input names them), the epoch regions for
 * `epochs.shards` shards, and the challenge region. Without epochs the node owns its first
 * committee's shards for ever. `storageNodeMachine` is the node of one blob within one epoch.
 *
 * Follows paper §2.2, §3.3, §4, §5, §6 and `crates/walrus-service/src/node.rs`,
 * `node/blob_event_processor.rs`, `node/blob_sync.rs`, `node/committee/request_futures.rs`,
 * `node/epoch_change.rs`.
 */

import { and, setup } from "xstate";
import type { WalrusSource } from "../../spec/sources.js";
import { memberOf, sendMessage } from "../committee.js";
import {
  type ShardAtNode,
  type StorageNodeContext,
  type StorageNodeEvent,
  type StorageNodeInput,
  NO_WRITE_YET,
  isWellFormed,
} from "./context.js";
import { THE_OBJECT } from "../chain.js";
import { type BlobRecord, NO_RECORD, applyBlobEvent } from "./blob-info.js";
import { blobRegion } from "./blob-region.js";
import { challengeActions, challengeGuards, challengeRegion, initialChallenge } from "./challenge.js";
import {
  BLOB_CHAIN_EVENTS,
  CHALLENGE_CHAIN_EVENTS,
  EPOCH_CHAIN_EVENTS,
  cursorActions,
  cursorGuards,
} from "./cursor.js";
import { epochActions, epochGuards, epochRegion } from "./epochs.js";
import { invalidationActions, invalidationGuards } from "./invalidation.js";
import { servingActions, servingGuards } from "./serving.js";
import { type ShardParams, shardActions, shardGuards, shardRegion } from "./shards.js";
import { emptySlots } from "./slivers.js";
import { statusActions, statusGuards, statusRegion } from "./status.js";
import { storageActions, storageGuards } from "./storage.js";

export type { ShardParams };
export type { ShardAtNode, ShardStatus, StorageNodeInput, StoredBlob } from "./context.js";
export type { ChallengeAtNode, ChallengeInput, RebuildBy } from "./challenge-context.js";
export { isOwned, movedBy } from "./context.js";
export { type ChainStatus, certifiedEpochOf, statusOf } from "./blob-info.js";

/**
 * The record of a blob stored before the model starts: the chain's one object of it
 * (`chain.ts`), registered and, with an epoch, certified in that epoch.
 */
function storedRecord(certifiedEpoch: number | null): BlobRecord {
  const epoch = certifiedEpoch ?? 0;
  const registered = applyBlobEvent(NO_RECORD, { type: "BlobRegistered", epoch, ...THE_OBJECT });
  return certifiedEpoch === null
    ? registered
    : applyBlobEvent(registered, { type: "BlobCertified", epoch, ...THE_OBJECT, isExtension: false });
}

/** The protocol sections and Walrus files the node follows, its regions' included (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["2.2", "2.3", "3.3", "4.1", "4.2", "5.1", "6.1", "6.3", "6.4", "6.5", "6.6"],
  files: [
    "crates/walrus-service/src/node.rs",
    "crates/walrus-service/src/node/blob_event_processor.rs",
    "crates/walrus-service/src/node/blob_sync.rs",
    "crates/walrus-service/src/node/committee/request_futures.rs",
    "crates/walrus-service/src/node/storage.rs",
    "crates/walrus-service/src/node/storage/shard.rs",
    "crates/walrus-service/src/node/shard_sync.rs",
    "crates/walrus-service/src/node/epoch_change.rs",
    "crates/walrus-service/src/node/epoch_change/plan.rs",
    "crates/walrus-sdk/src/active_committees.rs",
  ],
};

/** What a node machine is built for. */
export interface StorageNodeOptions {
  /** How many blobs the node follows (its input names them); default 1. */
  readonly blobs?: number;
  /** Follow epoch changes, with a region for each of the system's `shards` shards; default: one epoch. */
  readonly epochs?: { readonly shards: number };
  /** Take part in the storage challenge (paper §5), with the challenge region; default: no challenge. */
  readonly challenge?: boolean;
}

const nodeSetup = setup({
  types: {} as { context: StorageNodeContext; input: StorageNodeInput; events: StorageNodeEvent },
  actions: {
    send: sendMessage,
    ...cursorActions,
    ...epochActions,
    ...statusActions,
    ...shardActions,
    ...servingActions,
    ...storageActions,
    ...invalidationActions,
    ...challengeActions,
  },
  guards: {
    wellFormed: ({ event }) => isWellFormed(event),
    ...cursorGuards,
    ...epochGuards,
    ...statusGuards,
    ...shardGuards,
    ...servingGuards,
    ...storageGuards,
    ...invalidationGuards,
    ...challengeGuards,
  },
});

/** The cursor's take of a chain event: held when ahead of its turn, passed on in its turn. */
const takeChainEvent = [
  { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
  { guard: and(["wellFormed", "inChainOrder"]), target: "passing", actions: "processChainEvent" },
] as const;

/**
 * With epochs: an epoch event about an epoch whose committee the node does not know is not taken
 * either (the cursor does not move past it: a model that sends one is misconfigured).
 */
const takeEpochChainEvent = [
  { guard: and(["wellFormed", "knownEpoch", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
  { guard: and(["wellFormed", "knownEpoch", "inChainOrder"]), target: "passing", actions: "processChainEvent" },
] as const;

/**
 * What the node holds at the start: its first committee's shards, and the blobs certified before
 * the model (with the challenge, less the slivers a deleted node threw away: it keeps the metadata).
 */
function initialContext(input: StorageNodeInput, epochs: boolean, challenge: boolean): StorageNodeContext {
  const first = input.committee;
  const owned = [...(memberOf(first, input.name)?.shards ?? [])].sort((a, b) => a - b);
  // With epochs, each shard's region records its status on entry (its first committee's shards
  // enter `Active` at once); without, the node owns them for ever.
  const shards: ShardAtNode[] = owned.map((shard) => ({
    shard,
    status: epochs ? "None" : "Active",
    since: first.epoch,
    syncing: null,
    source: null,
    failedIn: null,
  }));
  // The input's challenge options become the context's challenge record (with the challenge only).
  const { challenge: _, ...rest } = input;
  const atStart = challenge ? { challenge: initialChallenge(input) } : {};
  const thrownAway = atStart.challenge?.deletedBlobs ?? [];
  return {
    ...rest,
    ...atStart,
    committees: input.committees ?? [first],
    invalidationAttestations: input.invalidationAttestations ?? "validity",
    dataDeletion: input.dataDeletion ?? "atEpochStart",
    attestWhen: input.attestWhen ?? "allShardsActive",
    changeDone: true,
    attestedEpoch: first.epoch,
    recoveryEpoch: null,
    incompleteHistory: null,
    shards,
    nextSeq: 0,
    early: [],
    held: [],
    blobs: input.blobIds.map((blobId) => {
      const stored = input.stored?.find((blob) => blob.blobId === blobId);
      return {
        blobId,
        record: stored === undefined ? NO_RECORD : storedRecord(stored.certifiedEpoch),
        metadata: stored?.metadata ?? null,
        slivers: emptySlots(owned).map((slot) => {
          const held = stored?.slivers.find((s) => s.shard === slot.shard);
          return held === undefined || thrownAway.includes(blobId)
            ? slot
            : { ...slot, primary: held.primary, secondary: held.secondary };
        }),
        pendingUpload: null,
        ...NO_WRITE_YET,
        attested: false,
      };
    }),
  };
}

/**
 * The storage node machine for `blobs` blobs, following epoch changes if `epochs` says for how
 * many shards, and taking part in the storage challenge if `challenge`.
 */
export function createStorageNodeMachine({ blobs = 1, epochs, challenge = false }: StorageNodeOptions = {}) {
  const blobRegions = Object.fromEntries(
    Array.from({ length: blobs }, (_, i) => [`blob${i}`, blobRegion(i, epochs !== undefined, challenge)]),
  );
  const epochRegions =
    epochs === undefined
      ? {}
      : {
          epoch: epochRegion,
          status: statusRegion,
          ...Object.fromEntries(Array.from({ length: epochs.shards }, (_, i) => [`shard${i}`, shardRegion(i)])),
        };
  // A node within one epoch takes the blob events; with epochs, the epoch events too.
  const take = {
    ...Object.fromEntries(BLOB_CHAIN_EVENTS.map((type) => [type, takeChainEvent])),
    ...(epochs === undefined ? {} : Object.fromEntries(EPOCH_CHAIN_EVENTS.map((type) => [type, takeEpochChainEvent]))),
    ...(challenge ? Object.fromEntries(CHALLENGE_CHAIN_EVENTS.map((type) => [type, takeChainEvent])) : {}),
  };
  return nodeSetup.createMachine({
    id: "storageNode",
    /** Its first committee's shards, and the blobs certified before the model; nothing processed yet. */
    context: ({ input }) => initialContext(input, epochs !== undefined, challenge),
    type: "parallel",
    states: {
      // One event at a time: the next held event waits until the regions have taken the last one
      // (and what it raised, such as an upload held for the registration, comes first).
      cursor: {
        initial: "idle",
        states: {
          idle: {
            on: take,
            always: { guard: "nextEventHeld", target: "passing", actions: "processNextHeldEvent" },
          },
          passing: { on: { "chain.*": "idle" } },
        },
      },
      ...epochRegions,
      ...blobRegions,
      // Requests about any blob, held until the node can answer them.
      serving: {
        on: {
          ReadRequest: { guard: "wellFormed", actions: "holdRequest" },
          RecoverySymbolRequest: { guard: "wellFormed", actions: "holdRequest" },
          VerifyInconsistencyProof: { guard: "wellFormed", actions: "holdRequest" },
          ...(epochs === undefined ? {} : { ShardSyncRequest: { guard: "wellFormed", actions: "holdRequest" } }),
        },
        always: { guard: "canAnswerHeldRequest", actions: "answerHeldRequests" },
      },
      ...(challenge ? { challenge: challengeRegion } : {}),
    },
  });
}

/** The storage node of one blob within one epoch. */
export const storageNodeMachine = createStorageNodeMachine();

/** The storage node of one blob through epoch changes, at n = 4 (the epoch-change models). */
export const epochStorageNodeMachine = createStorageNodeMachine({ epochs: { shards: 4 } });

/** The storage node of two blobs through epoch changes, at n = 4 (a write races the change, or two blobs share the committee). */
export const twoBlobEpochStorageNodeMachine = createStorageNodeMachine({ blobs: 2, epochs: { shards: 4 } });

/** The storage node of one blob in the storage challenge (the full challenge's models). */
export const challengeStorageNodeMachine = createStorageNodeMachine({ challenge: true });

/** The storage node of three blobs in the storage challenge (the lightweight challenge's models). */
export const threeBlobChallengeStorageNodeMachine = createStorageNodeMachine({ blobs: 3, challenge: true });

export {
  type BlobView,
  type ChallengeView,
  type NodeView,
  blobView,
  challengeView,
  nodeView,
} from "./views.js";
