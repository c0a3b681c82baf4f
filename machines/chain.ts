/**
 * The chain (Sui, the control layer) as far as one blob is concerned: the life of its `Blob`
 * object, from registration to certification or invalidation, and the events subscribers see.
 *
 * - in: `RegisterBlob` and `CertifyBlob` from the writer, `InvalidateBlobId` from nodes;
 * - out: `BlobRegistered`, `BlobCertified` and `InvalidBlobID` to the subscribers of each
 *   (storage nodes: all events; the writer: its transactions' effects; readers: the
 *   certification and the invalidation), numbered in chain order: subscribers may receive them in
 *   any order and process them in this one.
 *
 * Follows paper §4 (the write's on-chain steps; the certificate is the point of availability) and
 * `contracts/walrus/sources/system/system_state_inner.move` (`register_blob`, `certify_blob`) with
 * `blob.move` (`derive_blob_id`, `certify_with_certified_msg`): registration re-derives the blob ID
 * from the root hash and size; certification needs signatures of a quorum (`is_quorum`: 2f + 1 of
 * n shards) of the current epoch's committee, for a registered blob not yet certified;
 * invalidation (`invalidate_blob_id`, `verify_one_correct_node_in_epoch`) needs attestations that
 * include a correct node, by the contract's rule 3w ≥ n + 1 (`includes_one_correct_node`: f + 1
 * shards, but f + 2 when 3 divides n; the paper's f + 1 is the variant `validity: "paper"`), of
 * shards of the current epoch, whether the blob is certified or not. A certificate is the list of signers' names: BLS aggregation is not modelled,
 * the authenticated channels of the model stand for the signatures. The blob has one permanent
 * `Blob` object whose storage outlives the model ({@link THE_OBJECT}); fees are not modelled.
 */

import { and, assign, enqueueActions, setup } from "xstate";
import { type ValidityRule, isQuorum, meetsValidity } from "../spec/params.js";
import type {
  ActorName,
  BlobIdText,
  CertifyBlob,
  ChainEvent,
  InvalidateBlobId,
  RegisterBlob,
} from "../spec/messages.js";
import { objectIdOf } from "./blob-objects.js";
import { blobIdDerivesFromRootHash } from "./codec.js";
import { type Subscriber as EventSubscriber, enqueueAnnouncement, freshStreams } from "./chain-events.js";
import { CHAIN, type Committee, memberOf, sendMessage, weightOf } from "./committee.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["2.1", "2.2", "3.3", "7.2"],
  files: [
    "contracts/walrus/sources/system/system_state_inner.move",
    "contracts/walrus/sources/system/blob.move",
    "contracts/walrus/sources/system/bls_aggregate.move",
  ],
};

/** Who receives which of the blob's events. */
export type Subscriber = EventSubscriber<ChainEvent["type"]>;

/** The committee that certifies and who follows which events. */
export interface ChainInput {
  readonly committee: Committee;
  readonly subscribers: readonly Subscriber[];
}

/** The blob's on-chain record and the event streams' numbering. */
export interface ChainContext extends ChainInput {
  /** The next number of each subscriber's event stream (`chain-events.ts`). */
  readonly seq: readonly number[];
  readonly blobId: BlobIdText | null;
  readonly size: number;
  /** The certificate's signers, once certified. */
  readonly signers: readonly ActorName[];
  /** The attestations' signers, once invalidated. */
  readonly invalidatedBy: readonly ActorName[];
}

/** What the chain takes: the writer's transactions and the nodes' invalidation. */
export type ChainMachineEvent = RegisterBlob | CertifyBlob | InvalidateBlobId;

/** What every event about the blob says: the current epoch and the blob ID. */
const aboutTheBlob = (context: ChainContext) => ({
  epoch: context.committee.epoch,
  blobId: context.blobId as BlobIdText,
});

/**
 * The blob's one `Blob` object: permanent, the first object the chain creates, in a storage
 * resource that outlives every epoch of the model (the blob lifecycle's own chain has resources,
 * several objects and their ends: `blob-objects.ts`).
 */
export const THE_OBJECT = { objectId: objectIdOf(0), deletable: false, endEpoch: 0xffff_ffff } as const;

/** The blob's part of the context before any registration. */
export const NO_BLOB: Pick<ChainContext, "blobId" | "size" | "signers" | "invalidatedBy"> = {
  blobId: null,
  size: 0,
  signers: [],
  invalidatedBy: [],
};

/** How the chain is built: with or without `invalidate_blob_id`, and the rule its attestations meet. */
export interface ChainOptions {
  /** Whether the chain has `invalidate_blob_id` (default true). */
  readonly invalidation?: boolean;
  /** The rule that the invalidation's attestations include a correct node (default `contract`). */
  readonly validity?: ValidityRule;
}

/**
 * The chain machine. Without `invalidation` it has no `invalidate_blob_id`: a model of an honest
 * writer's blob with readers may leave it out, so that the chain sends nothing after the
 * certification (encoding protection, that an honest writer's blob is never invalidated, is then
 * checked by the models that keep it).
 */
export function createChainMachine({ invalidation = true, validity = "contract" }: ChainOptions = {}) {
  const invalidate = invalidation
    ? {
        InvalidateBlobId: { guard: "invalidation" as const, target: "invalid", actions: "recordInvalidation" as const },
      }
    : {};
  return setup({
    types: {} as { context: ChainContext; input: ChainInput; events: ChainMachineEvent },
    actions: {
      send: sendMessage,
      recordBlob: assign(({ event }) =>
        event.type === "RegisterBlob" ? { blobId: event.blobId, size: event.size } : {},
      ),
      recordCertificate: assign({
        signers: ({ event }) => (event.type === "CertifyBlob" ? [...new Set(event.signers)].sort() : []),
      }),
      announceBlobRegistered: enqueueActions(({ context, enqueue }) =>
        enqueueAnnouncement(enqueue, context, {
          type: "BlobRegistered",
          ...aboutTheBlob(context),
          size: context.size,
          ...THE_OBJECT,
        }),
      ),
      announceBlobCertified: enqueueActions(({ context, enqueue }) =>
        enqueueAnnouncement(enqueue, context, {
          type: "BlobCertified",
          ...aboutTheBlob(context),
          ...THE_OBJECT,
          isExtension: false,
        }),
      ),
      announceInvalidBlobID: enqueueActions(({ context, enqueue }) =>
        enqueueAnnouncement(enqueue, context, { type: "InvalidBlobID", ...aboutTheBlob(context) }),
      ),
      recordInvalidation: assign({
        invalidatedBy: ({ event }) => (event.type === "InvalidateBlobId" ? [...new Set(event.signers)].sort() : []),
      }),
    },
    guards: {
      blobIdDerivesFromRootHash: ({ event }) =>
        event.type === "RegisterBlob" && blobIdDerivesFromRootHash(event.blobId, event.size, event.rootHash),
      certificateForThisBlob: ({ context, event }) => "signers" in event && event.blobId === context.blobId,
      certificateOfCurrentEpoch: ({ context, event }) => "signers" in event && event.epoch === context.committee.epoch,
      certificateIsQuorum: ({ context, event }) =>
        event.type === "CertifyBlob" &&
        event.signers.every((name) => memberOf(context.committee, name) !== undefined) &&
        isQuorum(weightOf(context.committee, event.signers), context.committee.nShards),
      attestationsIncludeACorrectNode: ({ context, event }) =>
        event.type === "InvalidateBlobId" &&
        event.signers.every((name) => memberOf(context.committee, name) !== undefined) &&
        meetsValidity(validity, weightOf(context.committee, event.signers), context.committee.nShards),
      invalidation: and(["certificateForThisBlob", "certificateOfCurrentEpoch", "attestationsIncludeACorrectNode"]),
    },
  }).createMachine({
    id: CHAIN,
    /** No blob yet, every stream at 0. */
    context: ({ input }) => ({
      ...input,
      seq: freshStreams(input.subscribers),
      ...NO_BLOB,
    }),
    initial: "noBlob",
    states: {
      noBlob: {
        on: {
          RegisterBlob: {
            guard: "blobIdDerivesFromRootHash",
            target: "registered",
            actions: "recordBlob",
          },
        },
      },
      registered: {
        entry: "announceBlobRegistered",
        on: {
          CertifyBlob: {
            guard: and(["certificateForThisBlob", "certificateOfCurrentEpoch", "certificateIsQuorum"]),
            target: "certified",
            actions: "recordCertificate",
          },
          ...invalidate,
        },
      },
      certified: {
        entry: "announceBlobCertified",
        on: { ...invalidate },
      },
      invalid: {
        entry: "announceInvalidBlobID",
      },
    },
  });
}

/** The chain with every entry point of this slice. */
export const chainMachine = createChainMachine();

/** What properties read of the chain: the blob's status and who signed its certificate or invalidation. */
export interface ChainView {
  readonly status: "noBlob" | "registered" | "certified" | "invalid";
  readonly signers: readonly ActorName[];
  readonly invalidatedBy: readonly ActorName[];
}

/** The chain's view, from a snapshot of a chain machine. */
export function chainView(snapshot: { readonly value: unknown; readonly context: unknown }): ChainView {
  const context = snapshot.context as ChainContext;
  return {
    status: snapshot.value as ChainView["status"],
    signers: context.signers,
    invalidatedBy: context.invalidatedBy,
  };
}
