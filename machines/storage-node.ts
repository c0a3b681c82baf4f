/**
 * A storage node's handling of one blob: what it learns from the chain, what it stores, what it
 * confirms, what it serves, how it recovers its slivers when the writer's never arrive, and how it
 * exposes a writer's inconsistent encoding.
 *
 * - in: `BlobRegistered`, `BlobCertified`, `InvalidBlobID` (chain events, processed in chain
 *   order: one that arrives early is held until the ones before it are processed);
 *   `StoreSliverPairs` from the writer; `ReadRequest` from readers; `RecoverySymbolRequest` and
 *   `VerifyInconsistencyProof` from nodes, and the answers to its own (`RecoverySymbolResponse`,
 *   `InvalidBlobAttestation`);
 * - out: `StorageConfirmation` to the writer; `ReadResponse`, `RecoverySymbolResponse` and
 *   `InvalidBlobAttestation` to whoever asked; `RecoverySymbolRequest` and
 *   `VerifyInconsistencyProof` to the other nodes; `InvalidateBlobId` to the chain.
 *
 * Two regions run side by side. `chain`: the blob's status as this node has processed it
 * (awaiting registration → registered → certified → invalid). `storage`: what the node holds. An
 * upload is checked on arrival (`metadataMatchesBlobId`), held while the blob is not registered,
 * and then stored sliver by sliver (`sliverMatchesMetadata`, each at the index of the node's
 * pair). The node confirms once it stores the slivers of all its shards and the blob is
 * registered, and not after the certification (nobody needs it then). Once the blob is certified,
 * a node without all its slivers recovers them (paper §4, sliver healing): it asks every other
 * node for the metadata and the recovery symbols of its missing slivers on both axes, takes the
 * first metadata that verifies, recovers each missing secondary sliver from n − 2f symbols, then
 * each missing primary sliver from n − f symbols — its own recovered secondary slivers give one
 * each — every symbol checked against its Merkle proof (`symbolMatchesMetadata`). A node serves
 * what it holds: it answers each axis of a recovery request once it holds the slivers of the other
 * axis (so that, as in the paper, nodes that recovered their secondary slivers help the others
 * recover their primary ones); a request it cannot serve yet is held and answered as soon as it
 * can be (this stands for the requester's retries), so every request is answered once.
 *
 * A recovered sliver that contradicts the metadata is an inconsistency proof (state
 * `inconsistencyDetected`): the node attests it itself, sends it to every other node, which
 * verifies it (`inconsistencyProofIsValid`) and attests, and once it has enough attestations it
 * asks the chain to invalidate the blob ID. On `InvalidBlobID` every node deletes the
 * metadata and slivers and answers ⊥ from then on (state `deleted`).
 *
 * Follows `crates/walrus-service/src/node.rs` (`store_metadata`, `store_sliver`,
 * `compute_storage_confirmation`, `retrieve_recovery_symbol`, `verify_inconsistency_proof`),
 * `node/blob_event_processor.rs` (events in chain order, pending uploads flushed on
 * registration, `process_blob_invalid_event`) and `node/blob_sync.rs` with
 * `node/committee/request_futures.rs` (`BlobSynchronizer`, `RecoverSliver`: primary and secondary
 * recovered concurrently — here the order is the paper's, which the implementation's retries come
 * to; `GetInvalidBlobCertificate`). Enough attestations, a variant: `validity`, f + 1 shards, what
 * the paper asks and the contract checks (`verify_one_correct_node_in_epoch`), or `quorum`,
 * n − f, what the implementation's node waits for.
 */

import { and, assign, enqueueActions, not, setup, stateIn } from "xstate";
import { type Axis, orthogonal, sliverIndexOf } from "../spec/codec/slivers.js";
import {
  type ActorName,
  type BlobCertified,
  type BlobIdText,
  type BlobRegistered,
  type ChainEvent,
  type InvalidBlobAttestation,
  type InvalidBlobID,
  type ReadRequest,
  type RecoverySymbolRequest,
  type RecoverySymbolResponse,
  type StoreSliverPairs,
  type VerifyInconsistencyProof,
  isMessage,
} from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import {
  type RecoveryOutcome,
  inconsistencyProofIsValid,
  metadataMatchesBlobId,
  pairOfShard,
  recoverFromSymbols,
  recoverySymbolsFor,
  sliverMatchesMetadata,
  symbolVerifies,
} from "./codec.js";
import { isAboveValidity, isQuorum } from "../spec/params.js";
import { chainOrderGuards, takeNextHeldEvent, withEarlyEvent } from "./chain-order.js";
import { CHAIN, type Committee, type Outgoing, memberOf, send, sortedSet, weightOf, withName } from "./committee.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["2.2", "2.3", "3.3", "4.1", "4.2"],
  files: [
    "crates/walrus-service/src/node.rs",
    "crates/walrus-service/src/node/blob_event_processor.rs",
    "crates/walrus-service/src/node/blob_sync.rs",
    "crates/walrus-service/src/node/committee/request_futures.rs",
  ],
};

/** Who the node is, its committee, and the blob whose life at the node the machine follows. */
export interface StorageNodeInput {
  readonly name: ActorName;
  readonly committee: Committee;
  /** The blob whose life at this node the machine follows. */
  readonly blobId: BlobIdText;
  /**
   * Attestations the node collects before `invalidate_blob_id`: `validity`, f + 1 shards (the
   * paper, and what the contract checks), or `quorum`, 2f + 1 (the implementation's
   * `GetInvalidBlobCertificate`, which waits for `min_n_correct`). Default `validity`.
   */
  readonly invalidationAttestations?: "validity" | "quorum";
}

/** A request held until the node can answer it (a recovery request: the axes not yet answered). */
export type HeldRequest = ReadRequest | RecoverySymbolRequest | VerifyInconsistencyProof;

/** An inconsistency proof the node found: the axis of the sliver and the `InconsistencyProof` bytes. */
export interface FoundInconsistency {
  readonly axis: Axis;
  readonly proof: ByteRef;
}

/** The node's input with what it holds, recovers and has processed. */
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
  /** Recovery symbols received while recovering (checked when used), sorted. */
  readonly symbols: readonly ByteRef[];
  /** An inconsistency proof found while recovering. */
  readonly inconsistency: FoundInconsistency | null;
  /** Nodes that attest the blob ID invalid (this one first), and whether the invalidation went to the chain. */
  readonly attestations: readonly ActorName[];
  readonly invalidationSubmitted: boolean;
  /** Whether the node signed an `InvalidBlobIdMsg` for another node's proof (encoding protection watches it). */
  readonly attested: boolean;
  /** The chain invalidated the blob ID: the node deleted what it held and answers ⊥. */
  readonly invalid: boolean;
}

/** Every event the node takes: chain events, the writer's upload, readers' and nodes' messages. */
export type StorageNodeEvent =
  | BlobRegistered
  | BlobCertified
  | InvalidBlobID
  | StoreSliverPairs
  | ReadRequest
  | RecoverySymbolRequest
  | RecoverySymbolResponse
  | VerifyInconsistencyProof
  | InvalidBlobAttestation;

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

// --- serving ---

/** The axes of a recovery request the node can answer now: those whose source slivers it holds. */
function servableAxes(context: StorageNodeContext, request: RecoverySymbolRequest): Axis[] {
  return (["primary", "secondary"] as const).filter(
    (axis) => request[axis].length > 0 && holdsAll(context, orthogonal(axis)),
  );
}

/**
 * Whether the request is answered ⊥: it is about another blob, the blob ID is invalid, or it asks
 * for sliver indices that do not exist.
 */
function answeredBottom(context: StorageNodeContext, request: HeldRequest): boolean {
  if (request.blobId !== context.blobId || context.invalid) return true;
  return (
    request.type === "RecoverySymbolRequest" &&
    [...request.primary, ...request.secondary].some((index) => index >= nOf(context))
  );
}

/** Whether the node can answer (some of) the request now. */
function answerable(context: StorageNodeContext, request: HeldRequest): boolean {
  if (answeredBottom(context, request)) return true;
  if (context.metadata === null) return false;
  switch (request.type) {
    case "ReadRequest":
      return holdsAll(context, request.axis);
    case "RecoverySymbolRequest":
      return servableAxes(context, request).length > 0;
    case "VerifyInconsistencyProof":
      return true;
  }
}

/**
 * The answer to a request the node can answer (none to a proof that does not verify, or once the
 * blob ID is invalid), and what remains of it to answer later.
 */
function answer(
  context: StorageNodeContext,
  request: HeldRequest,
): { reply: Outgoing | null; rest: HeldRequest | null } {
  const bottom = answeredBottom(context, request);
  if (request.type === "VerifyInconsistencyProof") {
    const valid =
      !bottom &&
      inconsistencyProofIsValid(context.metadata as ByteRef, context.blobId, nOf(context), request.axis, request.proof);
    const attestation = {
      to: request.from,
      type: "InvalidBlobAttestation",
      node: context.name,
      epoch: context.committee.epoch,
      blobId: context.blobId,
    };
    return { reply: valid ? attestation : null, rest: null };
  }
  const base = { to: request.from, node: context.name, blobId: request.blobId };
  if (request.type === "ReadRequest") {
    const reply = {
      ...base,
      type: "ReadResponse",
      axis: request.axis,
      metadata: bottom ? null : context.metadata,
      slivers: bottom ? null : (sliversOf(context, request.axis) as ByteRef[]),
    };
    return { reply, rest: null };
  }
  if (bottom) return { reply: { ...base, type: "RecoverySymbolResponse", metadata: null, symbols: null }, rest: null };
  const axes = servableAxes(context, request);
  const symbols = axes.flatMap((axis) =>
    recoverySymbolsFor(
      context.metadata as ByteRef,
      context.blobId,
      nOf(context),
      sliversOf(context, orthogonal(axis)) as ByteRef[],
      axis,
      request[axis],
    ),
  );
  const rest = {
    ...request,
    primary: axes.includes("primary") ? [] : request.primary,
    secondary: axes.includes("secondary") ? [] : request.secondary,
  };
  return {
    reply: { ...base, type: "RecoverySymbolResponse", metadata: context.metadata, symbols },
    rest: rest.primary.length + rest.secondary.length > 0 ? rest : null,
  };
}

// --- storing ---

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

const storesEverything = (stored: { primary: readonly (ByteRef | null)[]; secondary: readonly (ByteRef | null)[] }) =>
  [...stored.primary, ...stored.secondary].every((ref) => ref !== null);

// --- recovering ---

/** The recovery request the node sends every other node: the indices of its missing slivers. */
function recoveryRequests(context: StorageNodeContext): Outgoing[] {
  return context.committee.members
    .filter((member) => member.name !== context.name)
    .map((member) => ({
      to: member.name,
      type: "RecoverySymbolRequest",
      from: context.name,
      blobId: context.blobId,
      primary: missing(context, "primary"),
      secondary: missing(context, "secondary"),
    }));
}

/**
 * The response taken in: the first metadata that verifies, and the symbols that verify against it
 * (`RecoverSliver` checks each symbol as it arrives; one that does not verify is dropped).
 */
function withRecoveryResponse(context: StorageNodeContext, event: StorageNodeEvent) {
  if (event.type !== "RecoverySymbolResponse") return {};
  const n = nOf(context);
  const metadata =
    context.metadata ??
    (event.metadata !== null && metadataMatchesBlobId(event.metadata, context.blobId, n) ? event.metadata : null);
  const verified =
    metadata === null ? [] : (event.symbols ?? []).filter((ref) => symbolVerifies(metadata, context.blobId, n, ref));
  return { metadata, symbols: [...new Set([...context.symbols, ...verified])].sort() };
}

/**
 * What recovering each missing sliver of `axis` gives from the symbols received and the node's own
 * (from the slivers of the other axis it holds).
 */
function recoveries(context: StorageNodeContext, axis: Axis): { index: number; outcome: RecoveryOutcome }[] {
  const metadata = context.metadata as ByteRef;
  const n = nOf(context);
  const targets = missing(context, axis);
  const own = sliversOf(context, orthogonal(axis)).filter((ref): ref is ByteRef => ref !== null);
  const symbols = [...context.symbols, ...recoverySymbolsFor(metadata, context.blobId, n, own, axis, targets)];
  return targets.map((index) => ({
    index,
    outcome: recoverFromSymbols(metadata, context.blobId, n, axis, index, symbols),
  }));
}

/**
 * Every missing sliver of `axis` is recovered or proven inconsistent with the symbols at hand (never
 * once the blob is deleted: the node then leaves recovery).
 */
const symbolsSuffice = (context: StorageNodeContext, axis: Axis) =>
  context.metadata !== null && recoveries(context, axis).every((r) => r.outcome.kind !== "notEnoughSymbols");

/** The slivers of `axis` the symbols recover, stored; or the inconsistency proof they give. */
function recovered(context: StorageNodeContext, axis: Axis) {
  const n = nOf(context);
  const outcomes = recoveries(context, axis);
  const slivers = context.pairs.map((pair, i) => {
    const outcome = outcomes.find((r) => r.index === sliverIndexOf(axis, pair, n))?.outcome;
    return outcome?.kind === "recovered" ? outcome.sliver : sliversOf(context, axis)[i];
  });
  const proof = outcomes.find((r) => r.outcome.kind === "inconsistent")?.outcome;
  return {
    [axis]: slivers,
    inconsistency: proof?.kind === "inconsistent" ? { axis, proof: proof.proof } : context.inconsistency,
  };
}

/** A node's handling of one blob: what it has processed of the chain (`chain`) beside what it holds (`storage`). */
export const storageNodeMachine = setup({
  types: {} as { context: StorageNodeContext; input: StorageNodeInput; events: StorageNodeEvent },
  actions: {
    send,
    holdRequest: assign({ held: ({ context, event }) => sortedSet([...context.held, event as HeldRequest]) }),
    answerHeldRequests: enqueueActions(({ context, enqueue }) => {
      const rest: HeldRequest[] = [];
      let attested = context.attested;
      for (const request of context.held) {
        if (!answerable(context, request)) {
          rest.push(request);
          continue;
        }
        const answered = answer(context, request);
        if (answered.reply !== null) enqueue({ type: "send", params: answered.reply });
        if (answered.reply?.type === "InvalidBlobAttestation") attested = true;
        if (answered.rest !== null) rest.push(answered.rest);
      }
      enqueue.assign({ held: sortedSet(rest), attested });
    }),
    holdEarlyEvent: assign({ early: ({ context, event }) => withEarlyEvent(context, event as ChainEvent) }),
    advanceChainOrder: assign({ nextSeq: ({ context }) => context.nextSeq + 1 }),
    processNextEarlyEvent: enqueueActions(({ context, enqueue }) => {
      const { next, early } = takeNextHeldEvent(context);
      enqueue.raise(next);
      enqueue.assign({ early });
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
    requestRecoverySymbols: enqueueActions(({ context, enqueue }) => {
      for (const request of recoveryRequests(context)) enqueue({ type: "send", params: request });
    }),
    takeRecoveryResponse: assign(({ context, event }) => withRecoveryResponse(context, event)),
    recoverSecondarySlivers: assign(({ context }) => recovered(context, "secondary")),
    recoverPrimarySlivers: assign(({ context }) => recovered(context, "primary")),
    // The symbols are of no further use once the slivers are stored.
    forgetSymbols: assign({ symbols: [] }),
    deleteBlob: assign(({ context }) => ({
      invalid: true,
      pendingUpload: null,
      metadata: null,
      primary: context.primary.map(() => null),
      secondary: context.secondary.map(() => null),
      symbols: [],
    })),
    attestOwnProof: assign({ attestations: ({ context }) => [context.name] }),
    shareInconsistencyProof: enqueueActions(({ context, enqueue }) => {
      const { axis, proof } = context.inconsistency as FoundInconsistency;
      for (const member of context.committee.members) {
        if (member.name === context.name) continue;
        const request = { type: "VerifyInconsistencyProof", from: context.name, blobId: context.blobId, axis, proof };
        enqueue({ type: "send", params: { to: member.name, ...request } });
      }
    }),
    recordAttestation: assign({
      attestations: ({ context, event }) =>
        event.type === "InvalidBlobAttestation"
          ? withName(context.attestations, event.node)
          : [...context.attestations],
    }),
    invalidateBlobId: enqueueActions(({ context, enqueue }) => {
      enqueue({
        type: "send",
        params: {
          to: CHAIN,
          type: "InvalidateBlobId",
          blobId: context.blobId,
          epoch: context.committee.epoch,
          signers: context.attestations,
        },
      });
      enqueue.assign({ invalidationSubmitted: true });
    }),
  },
  guards: {
    /** A well-formed message about this blob. */
    forThisBlob: ({ context, event }) => isMessage(event, event.type) && event.blobId === context.blobId,
    wellFormed: ({ event }) => isMessage(event, event.type),
    canAnswerHeldRequest: ({ context }) => context.held.some((request) => answerable(context, request)),
    ...chainOrderGuards,
    blobRegistered: not(stateIn({ chain: "awaitingRegistration" })),
    metadataMatchesBlobId: ({ context, event }) =>
      event.type === "StoreSliverPairs" && metadataMatchesBlobId(event.metadata, context.blobId, nOf(context)),
    /** With the slivers of this upload that verify, the node stores both slivers of every pair. */
    uploadCompletesStorage: ({ context, event }) => storesEverything(withUpload(context, event as StoreSliverPairs)),
    shouldConfirm: ({ context }) => !context.confirmed && context.uploader !== null,
    lacksSlivers: ({ context }) => !storesEverything(context),
    lacksMetadata: ({ context }) => context.metadata === null,
    lacksSecondarySlivers: ({ context }) => !holdsAll(context, "secondary"),
    lacksPrimarySlivers: ({ context }) => !holdsAll(context, "primary"),
    /** From another member of the committee (authenticated channels: `node` is the sender). */
    fromPeer: ({ context, event }) =>
      "node" in event && event.node !== context.name && memberOf(context.committee, event.node) !== undefined,
    symbolsSufficeForSecondary: ({ context }) => symbolsSuffice(context, "secondary"),
    symbolsSufficeForPrimary: ({ context }) => symbolsSuffice(context, "primary"),
    inconsistencyFound: ({ context }) => context.inconsistency !== null,
    /** An attestation for this blob and epoch from a committee member. */
    attestationIsValid: ({ context, event }) =>
      event.type === "InvalidBlobAttestation" &&
      event.epoch === context.committee.epoch &&
      memberOf(context.committee, event.node) !== undefined,
    /** Attestations enough for the chain (f + 1 shards, one of them correct) or the node's own threshold, not yet sent. */
    attestationsSuffice: ({ context }) => {
      const weight = weightOf(context.committee, context.attestations);
      const enough = context.invalidationAttestations === "quorum" ? isQuorum : isAboveValidity;
      return !context.invalidationSubmitted && enough(weight, context.committee.nShards);
    },
    blobInvalid: ({ context }) => context.invalid,
    invalidationSubmitted: ({ context }) => context.invalidationSubmitted,
  },
}).createMachine({
  id: "storageNode",
  /** The node's shards and their pairs from the committee; nothing stored or processed yet. */
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
      symbols: [],
      inconsistency: null,
      attestations: [],
      invalidationAttestations: input.invalidationAttestations ?? "validity",
      invalidationSubmitted: false,
      attested: false,
      invalid: false,
    };
  },
  type: "parallel",
  on: {
    ReadRequest: { guard: "wellFormed", actions: "holdRequest" },
    RecoverySymbolRequest: { guard: "wellFormed", actions: "holdRequest" },
    VerifyInconsistencyProof: { guard: "wellFormed", actions: "holdRequest" },
  },
  always: { guard: "canAnswerHeldRequest", actions: "answerHeldRequests" },
  states: {
    chain: {
      initial: "awaitingRegistration",
      on: {
        BlobRegistered: [
          { guard: and(["wellFormed", "aheadOfChainOrder"]), actions: "holdEarlyEvent" },
          // In order but for another blob, or of no consequence here: only the order advances.
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
            BlobRegistered: {
              guard: and(["forThisBlob", "inChainOrder"]),
              target: "registered",
              actions: "advanceChainOrder",
            },
          },
        },
        registered: {
          entry: "flushPendingUpload",
          always: { guard: and([stateIn({ storage: "stored" }), "shouldConfirm"]), actions: "confirmStorage" },
          on: {
            BlobCertified: {
              guard: and(["forThisBlob", "inChainOrder"]),
              target: "certified",
              actions: "advanceChainOrder",
            },
            InvalidBlobID: {
              guard: and(["forThisBlob", "inChainOrder"]),
              target: "invalid",
              actions: "advanceChainOrder",
            },
          },
        },
        certified: {
          on: {
            InvalidBlobID: {
              guard: and(["forThisBlob", "inChainOrder"]),
              target: "invalid",
              actions: "advanceChainOrder",
            },
          },
        },
        // `process_blob_invalid_event`: cancel the sync, delete the metadata and slivers, answer ⊥.
        invalid: { entry: "deleteBlob" },
      },
    },
    storage: {
      initial: "awaitingSlivers",
      always: {
        guard: and([stateIn({ chain: "invalid" }), not(stateIn({ storage: "deleted" }))]),
        target: ".deleted",
      },
      on: {
        StoreSliverPairs: [
          // `store_metadata` refuses a blob marked invalid.
          { guard: "blobInvalid" },
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
          always: { guard: and([stateIn({ chain: "certified" }), "lacksSlivers"]), target: "recovering" },
        },
        recovering: {
          entry: "requestRecoverySymbols",
          on: {
            RecoverySymbolResponse: {
              guard: and(["forThisBlob", "fromPeer"]),
              actions: "takeRecoveryResponse",
              // Re-enter the current step's choice (paper §4: secondary slivers first, then primary).
              target: ".choosingStep",
            },
          },
          initial: "choosingStep",
          states: {
            choosingStep: {
              always: [
                { guard: "inconsistencyFound", target: "#storageNode.storage.inconsistencyDetected" },
                { guard: "lacksMetadata", target: "awaitingMetadata" },
                { guard: "lacksSecondarySlivers", target: "recoveringSecondary" },
                { guard: "lacksPrimarySlivers", target: "recoveringPrimary" },
                { target: "#storageNode.storage.stored" },
              ],
            },
            awaitingMetadata: {},
            recoveringSecondary: {
              always: {
                guard: "symbolsSufficeForSecondary",
                target: "choosingStep",
                actions: "recoverSecondarySlivers",
              },
            },
            recoveringPrimary: {
              always: { guard: "symbolsSufficeForPrimary", target: "choosingStep", actions: "recoverPrimarySlivers" },
            },
          },
        },
        stored: { entry: "forgetSymbols" },
        // Share the proof; once enough attestations are in (this node's own first), ask the chain
        // to invalidate the blob ID.
        inconsistencyDetected: {
          entry: ["attestOwnProof", "shareInconsistencyProof"],
          on: {
            // Once the invalidation went to the chain, further attestations change nothing.
            InvalidBlobAttestation: {
              guard: and(["forThisBlob", "attestationIsValid", not("invalidationSubmitted")]),
              actions: "recordAttestation",
            },
          },
          always: { guard: "attestationsSuffice", actions: "invalidateBlobId" },
        },
        deleted: {},
      },
    },
  },
});
