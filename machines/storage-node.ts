/**
 * A storage node's handling of one blob: what it learns from the chain, what it stores, what it
 * confirms, what it serves, and how it recovers its slivers when the writer's never arrive.
 *
 * - in: `BlobRegistered`, `BlobCertified` (chain events, processed in chain order: one that arrives
 *   early is held until the ones before it are processed); `StoreSliverPairs` from the writer;
 *   `MetadataRequest`, `SliverRequest` from readers and nodes; `RecoverySymbolRequest` and the
 *   responses to its own requests from nodes;
 * - out: `StorageConfirmation` to the writer; `MetadataResponse`, `SliverResponse`,
 *   `RecoverySymbolResponse` to whoever asked; `MetadataRequest` and `RecoverySymbolRequest` to the
 *   other nodes while it recovers.
 *
 * Two regions run side by side. `chain`: the blob's status as this node has processed it
 * (awaiting registration → registered → certified). `storage`: what the node holds. An upload is
 * checked on arrival (`metadataMatchesBlobId`), held while the blob is not registered, and then
 * stored sliver by sliver (`sliverMatchesMetadata`, each at the index of the node's pair). The node
 * confirms once it stores the slivers of all its shards and the blob is registered. Once the blob
 * is certified, a node without all its slivers recovers them (paper §4, sliver healing; Figures
 * 3b–3d): the metadata from the other nodes if it lacks it, then each missing secondary sliver from
 * n − 2f recovery symbols, then each missing primary sliver from n − f, every symbol checked
 * against its Merkle proof (`symbolMatchesMetadata`). A node serves what it holds; a request it
 * cannot serve yet is held and answered as soon as it can be (this stands for the requester's
 * retries), so every request is answered once.
 *
 * Follows `crates/walrus-service/src/node.rs` (`store_metadata`, `store_sliver`,
 * `compute_storage_confirmation`, `retrieve_recovery_symbol`), `node/blob_event_processor.rs`
 * (events in chain order, pending uploads flushed on registration) and `node/blob_sync.rs` with
 * `node/committee/request_futures.rs` (`BlobSynchronizer`, `RecoverSliver`). A recovered sliver
 * that contradicts the metadata is recorded with its inconsistency proof (state
 * `inconsistencyDetected`); sharing the proof and invalidating the blob is not modelled yet.
 */

import { and, assign, enqueueActions, not, raise, setup, stateIn } from "xstate";
import { type Axis, orthogonal, sliverIndexOf } from "../spec/codec/slivers.js";
import {
  type ActorName,
  type BlobCertified,
  type BlobIdText,
  type BlobRegistered,
  type ChainEvent,
  type InvalidBlobID,
  type MetadataRequest,
  type MetadataResponse,
  type RecoverySymbolRequest,
  type RecoverySymbolResponse,
  type SliverRequest,
  type StoreSliverPairs,
  isMessage,
} from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import {
  metadataMatchesBlobId,
  pairOfShard,
  recoverFromSymbols,
  recoverySymbolsFor,
  sliverMatchesMetadata,
  symbolMatchesMetadata,
} from "./codec.js";
import { type Committee, memberOf, send, withName } from "./committee.js";

export interface StorageNodeInput {
  readonly name: ActorName;
  readonly committee: Committee;
  /** The blob whose life at this node the machine follows. */
  readonly blobId: BlobIdText;
}

/** A request held until the node can answer it. */
export type HeldRequest = MetadataRequest | SliverRequest | RecoverySymbolRequest;

export interface StorageNodeContext extends StorageNodeInput {
  /** The shards this node holds (from the committee) and the pair each stores, in that order. */
  readonly shards: readonly number[];
  readonly pairs: readonly number[];
  /** Sequence number of the next chain event to process. */
  readonly nextSeq: number;
  /** Chain events that arrived before their turn, by sequence number. */
  readonly early: readonly ChainEvent[];
  /** An upload that arrived before the registration (`pending_metadata_cache`, `pending_sliver_cache`). */
  readonly pendingUpload: StoreSliverPairs | null;
  /** Verified metadata (`BlobMetadataWithId` bytes). */
  readonly metadata: ByteRef | null;
  /** Verified slivers of the node's pairs (same order as `pairs`), null until stored. */
  readonly primary: readonly (ByteRef | null)[];
  readonly secondary: readonly (ByteRef | null)[];
  /** The writer to confirm to, and whether the confirmation went out. */
  readonly uploader: ActorName | null;
  readonly confirmed: boolean;
  /** Requests the node cannot answer yet, sorted. */
  readonly held: readonly HeldRequest[];
  /** Nodes that answered the current recovery request, sorted. */
  readonly answered: readonly ActorName[];
  /** Verified recovery symbols of the current recovery step, sorted. */
  readonly symbols: readonly ByteRef[];
  /** An inconsistency proof (`InconsistencyProof` bytes) found while recovering. */
  readonly inconsistencyProof: ByteRef | null;
}

type StorageNodeEvent =
  | BlobRegistered
  | BlobCertified
  | InvalidBlobID
  | StoreSliverPairs
  | MetadataRequest
  | MetadataResponse
  | SliverRequest
  | RecoverySymbolRequest
  | RecoverySymbolResponse;

const nOf = (context: StorageNodeContext) => context.committee.nShards;

/** The node's slivers of `axis`, by pair position. */
const sliversOf = (context: StorageNodeContext, axis: Axis) =>
  axis === "primary" ? context.primary : context.secondary;

/** Sliver indices of `axis` of the node's pairs that it does not store. */
function missing(context: StorageNodeContext, axis: Axis): number[] {
  return context.pairs.flatMap((pair, i) =>
    sliversOf(context, axis)[i] === null ? [sliverIndexOf(axis, pair, nOf(context))] : [],
  );
}

const holdsAll = (context: StorageNodeContext, axis: Axis) => missing(context, axis).length === 0;

/** Whether the request can be answered now (⊥ for another blob; else once the node holds what it asks). */
function answerable(context: StorageNodeContext, request: HeldRequest): boolean {
  if (request.blobId !== context.blobId) return true;
  switch (request.type) {
    case "MetadataRequest":
      return context.metadata !== null;
    case "SliverRequest":
      return holdsAll(context, request.axis);
    case "RecoverySymbolRequest":
      return request.targets.some((t) => t >= nOf(context)) || holdsAll(context, orthogonal(request.target));
  }
}

/** The answer to a request the node can answer, as a send. */
function answer(context: StorageNodeContext, request: HeldRequest) {
  const mine = request.blobId === context.blobId;
  const base = { to: request.from, node: context.name, blobId: request.blobId };
  switch (request.type) {
    case "MetadataRequest":
      return { ...base, type: "MetadataResponse", metadata: mine ? context.metadata : null };
    case "SliverRequest":
      return {
        ...base,
        type: "SliverResponse",
        axis: request.axis,
        slivers: mine ? (sliversOf(context, request.axis) as ByteRef[]) : null,
      };
    case "RecoverySymbolRequest": {
      const valid = mine && request.targets.every((t) => t < nOf(context));
      return {
        ...base,
        type: "RecoverySymbolResponse",
        target: request.target,
        symbols: valid
          ? recoverySymbolsFor(
              context.metadata as ByteRef,
              context.blobId,
              nOf(context),
              sliversOf(context, orthogonal(request.target)) as ByteRef[],
              request.target,
              request.targets,
            )
          : null,
      };
    }
  }
}

/** The slivers an upload brings that verify, merged into what the node holds. */
function withUpload(context: StorageNodeContext, upload: StoreSliverPairs) {
  const n = nOf(context);
  const merge = (axis: Axis) =>
    context.pairs.map((pair, i) => {
      const held = sliversOf(context, axis)[i];
      if (held !== null) return held;
      const offered = upload.pairs.find((p) => p.pair === pair)?.[axis];
      return offered !== undefined &&
        sliverMatchesMetadata(upload.metadata, context.blobId, n, offered, axis, sliverIndexOf(axis, pair, n))
        ? offered
        : null;
    });
  return { metadata: context.metadata ?? upload.metadata, primary: merge("primary"), secondary: merge("secondary") };
}

/** The verified symbols of this response for the current step's targets, added to those at hand. */
function withSymbols(context: StorageNodeContext, event: StorageNodeEvent, axis: Axis): ByteRef[] {
  if (event.type !== "RecoverySymbolResponse" || event.target !== axis || event.symbols === null) {
    return [...context.symbols];
  }
  const n = nOf(context);
  const targets = missing(context, axis);
  const valid = event.symbols.filter((ref) =>
    targets.some((t) => symbolMatchesMetadata(context.metadata as ByteRef, context.blobId, n, ref, axis, t)),
  );
  return [...new Set([...context.symbols, ...valid])].sort();
}

/** What recovering each missing sliver of `axis` gives with `symbols`. */
function recoveries(context: StorageNodeContext, axis: Axis, symbols: readonly ByteRef[]) {
  return missing(context, axis).map((index) => ({
    index,
    outcome: recoverFromSymbols(context.metadata as ByteRef, context.blobId, nOf(context), axis, index, symbols),
  }));
}

/** With this response, every missing sliver of `axis` is recovered, or proven inconsistent. */
function symbolsSuffice(context: StorageNodeContext, event: StorageNodeEvent, axis: Axis): boolean {
  return recoveries(context, axis, withSymbols(context, event, axis)).every((r) => r.outcome.kind !== "notEnoughSymbols");
}

/**
 * The start of a recovery step for the missing slivers of `axis`: the node's own symbols (from
 * the slivers of the other axis it holds) and a request to every other node.
 */
function recoveryStep(context: StorageNodeContext, axis: Axis) {
  const targets = missing(context, axis);
  const own = sliversOf(context, orthogonal(axis)).filter((ref): ref is ByteRef => ref !== null);
  const symbols = recoverySymbolsFor(context.metadata as ByteRef, context.blobId, nOf(context), own, axis, targets);
  return {
    assignment: { answered: [] as ActorName[], symbols: [...symbols].sort() },
    requests: context.committee.members
      .filter((member) => member.name !== context.name)
      .map((member) => ({
        to: member.name,
        type: "RecoverySymbolRequest",
        from: context.name,
        blobId: context.blobId,
        target: axis,
        targets,
      })),
  };
}

/**
 * The symbols at hand with this response's, and the slivers of `axis` they recover (or the
 * inconsistency proof they give).
 */
function recovered(context: StorageNodeContext, event: StorageNodeEvent, axis: Axis) {
  const n = nOf(context);
  const symbols = withSymbols(context, event, axis);
  const outcomes = recoveries(context, axis, symbols);
  const slivers = context.pairs.map((pair, i) => {
    const outcome = outcomes.find((r) => r.index === sliverIndexOf(axis, pair, n))?.outcome;
    return outcome?.kind === "recovered" ? outcome.sliver : sliversOf(context, axis)[i];
  });
  const proof = outcomes.find((r) => r.outcome.kind === "inconsistent")?.outcome;
  return {
    symbols,
    [axis]: slivers,
    inconsistencyProof: proof?.kind === "inconsistent" ? proof.proof : context.inconsistencyProof,
  };
}

export const storageNodeMachine = setup({
  types: {} as { context: StorageNodeContext; input: StorageNodeInput; events: StorageNodeEvent },
  actions: {
    send,
    holdRequest: assign({
      held: ({ context, event }) =>
        [...context.held, event as HeldRequest]
          .map((request) => JSON.stringify(request))
          .filter((key, i, keys) => keys.indexOf(key) === i)
          .sort()
          .map((key) => JSON.parse(key) as HeldRequest),
    }),
    answerHeldRequests: enqueueActions(({ context, enqueue }) => {
      for (const request of context.held) {
        if (answerable(context, request)) enqueue({ type: "send", params: answer(context, request) });
      }
      enqueue.assign({ held: context.held.filter((request) => !answerable(context, request)) });
    }),
    holdEarlyEvent: assign({
      early: ({ context, event }) =>
        context.early.some((e) => e.seq === (event as ChainEvent).seq)
          ? [...context.early]
          : [...context.early, event as ChainEvent].sort((a, b) => a.seq - b.seq),
    }),
    advanceChainOrder: assign({ nextSeq: ({ context }) => context.nextSeq + 1 }),
    processNextEarlyEvent: enqueueActions(({ context, enqueue }) => {
      const next = context.early.find((e) => e.seq === context.nextSeq) as ChainEvent;
      enqueue.raise(next);
      enqueue.assign({ early: context.early.filter((e) => e !== next) });
    }),
    holdUpload: assign({
      pendingUpload: ({ context, event }) => context.pendingUpload ?? (event as StoreSliverPairs),
    }),
    flushPendingUpload: enqueueActions(({ context, enqueue }) => {
      if (context.pendingUpload === null) return;
      enqueue.raise(context.pendingUpload);
      enqueue.assign({ pendingUpload: null });
    }),
    storeUpload: assign(({ context, event }) => ({
      ...withUpload(context, event as StoreSliverPairs),
      uploader: context.uploader ?? (event as StoreSliverPairs).from,
    })),
    confirmStorage: enqueueActions(({ context, enqueue }) => {
      enqueue({
        type: "send",
        params: {
          to: context.uploader as ActorName,
          type: "StorageConfirmation",
          node: context.name,
          epoch: context.committee.epoch,
          blobId: context.blobId,
          shards: context.shards,
        },
      });
      enqueue.assign({ confirmed: true });
    }),
    recordAnswer: assign({
      answered: ({ context, event }) =>
        "node" in event ? withName(context.answered, event.node) : [...context.answered],
    }),
    requestMetadataFromPeers: enqueueActions(({ context, enqueue }) => {
      enqueue.assign({ answered: [] });
      for (const member of context.committee.members) {
        if (member.name === context.name) continue;
        enqueue({
          type: "send",
          params: { to: member.name, type: "MetadataRequest", from: context.name, blobId: context.blobId },
        });
      }
    }),
    takeMetadata: assign({ metadata: ({ event }) => (event as MetadataResponse).metadata }),
    startSecondaryRecovery: enqueueActions(({ context, enqueue }) => {
      const step = recoveryStep(context, "secondary");
      enqueue.assign(step.assignment);
      for (const request of step.requests) enqueue({ type: "send", params: request });
    }),
    startPrimaryRecovery: enqueueActions(({ context, enqueue }) => {
      const step = recoveryStep(context, "primary");
      enqueue.assign(step.assignment);
      for (const request of step.requests) enqueue({ type: "send", params: request });
    }),
    /** Adds the response's valid symbols and stores every sliver they recover. */
    recoverSecondarySlivers: assign(({ context, event }) => recovered(context, event, "secondary")),
    recoverPrimarySlivers: assign(({ context, event }) => recovered(context, event, "primary")),
    collectSecondarySymbols: assign({ symbols: ({ context, event }) => withSymbols(context, event, "secondary") }),
    collectPrimarySymbols: assign({ symbols: ({ context, event }) => withSymbols(context, event, "primary") }),
  },
  guards: {
    /** A well-formed message about this blob. */
    forThisBlob: ({ context, event }) => isMessage(event, event.type) && event.blobId === context.blobId,
    wellFormed: ({ event }) => isMessage(event, event.type),
    canAnswerHeldRequest: ({ context }) => context.held.some((request) => answerable(context, request)),
    inChainOrder: ({ context, event }) => "seq" in event && event.seq === context.nextSeq,
    aheadOfChainOrder: ({ context, event }) => "seq" in event && event.seq > context.nextSeq,
    nextEventHeld: ({ context }) => context.early.some((e) => e.seq === context.nextSeq),
    blobRegistered: not(stateIn({ chain: "awaitingRegistration" })),
    metadataMatchesBlobId: ({ context, event }) =>
      (event.type === "StoreSliverPairs" || event.type === "MetadataResponse") &&
      metadataMatchesBlobId(event.metadata, context.blobId, nOf(context)),
    /** With the slivers of this upload that verify, the node stores both slivers of every pair. */
    uploadCompletesStorage: ({ context, event }) => {
      const stored = withUpload(context, event as StoreSliverPairs);
      return [...stored.primary, ...stored.secondary].every((ref) => ref !== null);
    },
    shouldConfirm: ({ context }) => !context.confirmed && context.uploader !== null,
    certifiedWithoutSlivers: ({ context }) => !holdsAll(context, "primary") || !holdsAll(context, "secondary"),
    lacksMetadata: ({ context }) => context.metadata === null,
    lacksSecondarySlivers: ({ context }) => !holdsAll(context, "secondary"),
    lacksPrimarySlivers: ({ context }) => !holdsAll(context, "primary"),
    /** A first answer from another member of the committee. */
    newPeerAnswer: ({ context, event }) =>
      "node" in event &&
      event.node !== context.name &&
      memberOf(context.committee, event.node) !== undefined &&
      !context.answered.includes(event.node),
    /** With this response, every missing sliver of the step is recovered, or proven inconsistent. */
    symbolsSufficeForSecondary: ({ context, event }) => symbolsSuffice(context, event, "secondary"),
    symbolsSufficeForPrimary: ({ context, event }) => symbolsSuffice(context, event, "primary"),
    inconsistencyFound: ({ context }) => context.inconsistencyProof !== null,
  },
}).createMachine({
  id: "storageNode",
  context: ({ input }) => {
    const member = memberOf(input.committee, input.name);
    const shards = member === undefined ? [] : [...member.shards];
    return {
      ...input,
      shards,
      pairs: shards.map((shard) => pairOfShard(input.blobId, shard, input.committee.nShards)),
      nextSeq: 0,
      early: [],
      pendingUpload: null,
      metadata: null,
      primary: shards.map(() => null),
      secondary: shards.map(() => null),
      uploader: null,
      confirmed: false,
      held: [],
      answered: [],
      symbols: [],
      inconsistencyProof: null,
    };
  },
  type: "parallel",
  on: {
    MetadataRequest: { guard: "wellFormed", actions: "holdRequest" },
    SliverRequest: { guard: "wellFormed", actions: "holdRequest" },
    RecoverySymbolRequest: { guard: "wellFormed", actions: "holdRequest" },
  },
  always: { guard: "canAnswerHeldRequest", actions: "answerHeldRequests" },
  states: {
    chain: {
      initial: "awaitingRegistration",
      on: {
        BlobRegistered: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          // In order but for another blob: only the order advances.
          { guard: and(["wellFormed", "inChainOrder"]), actions: "advanceChainOrder" },
        ],
        BlobCertified: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["wellFormed", "inChainOrder"]), actions: "advanceChainOrder" },
        ],
        InvalidBlobID: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          { guard: and(["wellFormed", "inChainOrder"]), actions: "advanceChainOrder" },
        ],
      },
      always: { guard: "nextEventHeld", actions: "processNextEarlyEvent" },
      states: {
        awaitingRegistration: {
          on: {
            BlobRegistered: { guard: and(["forThisBlob", "inChainOrder"]), target: "registered", actions: "advanceChainOrder" },
          },
        },
        registered: {
          entry: "flushPendingUpload",
          always: { guard: and([stateIn({ storage: "stored" }), "shouldConfirm"]), actions: "confirmStorage" },
          on: {
            BlobCertified: { guard: and(["forThisBlob", "inChainOrder"]), target: "certified", actions: "advanceChainOrder" },
          },
        },
        certified: {},
      },
    },
    storage: {
      initial: "awaitingSlivers",
      on: {
        StoreSliverPairs: [
          { guard: and(["forThisBlob", "metadataMatchesBlobId", not("blobRegistered")]), actions: "holdUpload" },
          {
            guard: and(["forThisBlob", "metadataMatchesBlobId", "uploadCompletesStorage"]),
            target: ".stored",
            actions: "storeUpload",
          },
          { guard: and(["forThisBlob", "metadataMatchesBlobId"]), actions: "storeUpload" },
        ],
      },
      states: {
        awaitingSlivers: {
          always: {
            guard: and([stateIn({ chain: "certified" }), "certifiedWithoutSlivers"]),
            target: "recovering",
          },
        },
        recovering: {
          initial: "choosingStep",
          states: {
            // Paper §4: metadata first if missing, then the secondary slivers, then the primary.
            choosingStep: {
              always: [
                { guard: "inconsistencyFound", target: "#storageNode.storage.inconsistencyDetected" },
                { guard: "lacksMetadata", target: "fetchingMetadata" },
                { guard: "lacksSecondarySlivers", target: "recoveringSecondary" },
                { guard: "lacksPrimarySlivers", target: "recoveringPrimary" },
                { target: "#storageNode.storage.stored" },
              ],
            },
            fetchingMetadata: {
              entry: "requestMetadataFromPeers",
              on: {
                MetadataResponse: [
                  {
                    guard: and(["forThisBlob", "newPeerAnswer", "metadataMatchesBlobId"]),
                    target: "choosingStep",
                    actions: "takeMetadata",
                  },
                  { guard: and(["forThisBlob", "newPeerAnswer"]), actions: "recordAnswer" },
                ],
              },
            },
            recoveringSecondary: {
              entry: "startSecondaryRecovery",
              on: {
                RecoverySymbolResponse: [
                  {
                    guard: and(["forThisBlob", "newPeerAnswer", "symbolsSufficeForSecondary"]),
                    target: "choosingStep",
                    actions: "recoverSecondarySlivers",
                  },
                  {
                    guard: and(["forThisBlob", "newPeerAnswer"]),
                    actions: ["recordAnswer", "collectSecondarySymbols"],
                  },
                ],
              },
            },
            recoveringPrimary: {
              entry: "startPrimaryRecovery",
              on: {
                RecoverySymbolResponse: [
                  {
                    guard: and(["forThisBlob", "newPeerAnswer", "symbolsSufficeForPrimary"]),
                    target: "choosingStep",
                    actions: "recoverPrimarySlivers",
                  },
                  {
                    guard: and(["forThisBlob", "newPeerAnswer"]),
                    actions: ["recordAnswer", "collectPrimarySymbols"],
                  },
                ],
              },
            },
          },
        },
        stored: {
          // The recovery step's bookkeeping is of no further use.
          entry: assign({ answered: [], symbols: [] }),
        },
        inconsistencyDetected: {},
      },
    },
  },
});
