/**
 * The writer (client) of one blob: it registers the blob, uploads to every node the metadata and
 * the sliver pairs of the node's shards, collects storage confirmations until they cover a quorum
 * of shards, and certifies the blob with them.
 *
 * Variants: `honest` — the input is the codec's encoding of the blob; `malicious` — the same
 * steps over an inconsistent encoding (spec/ `encodeInconsistently`: slivers that each match the
 * metadata but are not one codeword), with uploads withheld from the nodes the model names, which
 * then recover and meet the inconsistency. Which one a model runs is its choice of input.
 *
 * - in: `BlobRegistered` and `BlobCertified` from the chain, `StorageConfirmation` from nodes,
 *   `Upload` from the environment; with `committees`, `EpochChangeStart` from the chain;
 * - out: `RegisterBlob` and `CertifyBlob` to the chain, `StoreSliverPairs` to every node.
 *
 * Follows paper §4 (write: register, send sliver pairs, 2f + 1 acknowledgements, certificate on
 * chain) and `crates/walrus-sdk/src/node_client/store_pipeline.rs` with `node_client.rs`
 * (`reserve_and_store_encoded_blobs`; confirmations until `is_quorum` of the committee's shards).
 * The blob is encoded before the machine starts (by the model, with the real codec): the input
 * holds references to its metadata and slivers. Uploads go out after the registration is seen, as
 * the implementation's default (no optimistic pending uploads), each when the environment says
 * (`Upload`): the implementation uploads to every node at once and stops soon after it has a
 * quorum, so an upload may go out late or, once the blob is certified, never.
 *
 * Across an epoch change (paper §6: writes go to the new committee at once): a writer given the
 * committees of the epochs to come (`committees`) that sees `EpochChangeStart` before its blob is
 * certified drops what it collected — confirmations of the old epoch make a certificate the chain
 * refuses — and uploads to the new committee and collects its confirmations again, as the
 * implementation's client does when its certificate's epoch is no longer current.
 */

import { and, assign, enqueueActions, setup } from "xstate";
import { isQuorum } from "../spec/params.js";
import type { ByteRef } from "../spec/store.js";
import type {
  ActorName,
  BlobCertified,
  BlobIdText,
  BlobRegistered,
  EpochChangeStart,
  InvalidBlobID,
  ObjectIdText,
  StorageConfirmation,
} from "../spec/messages.js";
import { pairOfShard } from "./codec.js";
import {
  type Addressed,
  CHAIN,
  type Committee,
  holdsExactly,
  memberOf,
  sendMessage,
  weightOf,
  withName,
} from "./committee.js";
import { sliverIndexOf } from "../spec/codec/slivers.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["2.1", "2.2", "6.1"],
  files: ["crates/walrus-sdk/src/node_client/store_pipeline.rs", "crates/walrus-sdk/src/node_client.rs"],
};

/** The encoded blob, by reference, and the committee it is written to. */
export interface WriterInput {
  readonly name: ActorName;
  readonly committee: Committee;
  readonly blobId: BlobIdText;
  readonly size: number;
  /** Merkle root over the pairs' hashes, 64 hex digits (what the chain derives the blob ID from). */
  readonly rootHash: string;
  /** `BlobMetadataWithId` bytes. */
  readonly metadata: ByteRef;
  /** `SliverData` bytes of primary sliver i, by sliver index. */
  readonly primary: readonly ByteRef[];
  /** `SliverData` bytes of secondary sliver j, by sliver index. */
  readonly secondary: readonly ByteRef[];
  /** The committees of the epochs to come, to write to when an epoch change starts (none: one epoch). */
  readonly committees?: readonly Committee[];
}

export interface WriterContext extends WriterInput {
  /** The object its registration made: a deletable one's ID, or null for a permanent one (what it asks nodes to confirm). */
  readonly object: ObjectIdText | null;
  /** Nodes the upload went out to, sorted. */
  readonly uploaded: readonly ActorName[];
  /** Nodes whose confirmation was accepted, sorted. */
  readonly confirmations: readonly ActorName[];
}

/** The environment's choice: the upload to `node` goes out now. */
export interface Upload {
  readonly type: "Upload";
  readonly node: ActorName;
}

/** Every event the writer takes: chain events, confirmations, the environment's `Upload`. */
export type WriterEvent =
  | BlobRegistered
  | BlobCertified
  | InvalidBlobID
  | StorageConfirmation
  | Upload
  | EpochChangeStart;

/** The upload to `node`: the metadata and the sliver pairs of all its shards, in one message. */
function upload(context: WriterContext, node: ActorName): Addressed {
  const n = context.committee.nShards;
  const pairs = (memberOf(context.committee, node)?.shards ?? []).map((shard) => {
    const pair = pairOfShard(context.blobId, shard, n);
    return {
      pair,
      primary: context.primary[sliverIndexOf("primary", pair, n)],
      secondary: context.secondary[sliverIndexOf("secondary", pair, n)],
    };
  });
  return {
    to: node,
    type: "StoreSliverPairs",
    from: context.name,
    blobId: context.blobId,
    object: context.object,
    metadata: context.metadata,
    pairs,
  };
}

/** One write: register, upload and collect confirmations, certify. */
export const writerMachine = setup({
  types: {} as { context: WriterContext; input: WriterInput; events: WriterEvent },
  actions: {
    send: sendMessage,
    uploadTo: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== "Upload") return;
      enqueue({ type: "send", params: upload(context, event.node) });
      enqueue.assign({ uploaded: withName(context.uploaded, event.node) });
    }),
    writeToNewCommittee: assign(({ context, event }) => ({
      committee:
        context.committees?.find((c) => event.type === "EpochChangeStart" && c.epoch === event.epoch) ??
        context.committee,
      uploaded: [],
      confirmations: [],
    })),
    /** The object the registration made. */
    recordObject: assign({
      object: ({ context, event }) =>
        event.type === "BlobRegistered" ? (event.deletable ? event.objectId : null) : context.object,
    }),
    recordConfirmation: assign({
      confirmations: ({ context, event }) =>
        event.type === "StorageConfirmation" ? withName(context.confirmations, event.node) : context.confirmations,
    }),
  },
  guards: {
    /** An epoch after the writer's, whose committee it knows. */
    newerEpoch: ({ context, event }) =>
      event.type === "EpochChangeStart" &&
      event.epoch > context.committee.epoch &&
      context.committees?.some((c) => c.epoch === event.epoch) === true,
    forThisBlob: ({ context, event }) => "blobId" in event && event.blobId === context.blobId,
    notYetUploaded: ({ context, event }) =>
      event.type === "Upload" &&
      memberOf(context.committee, event.node) !== undefined &&
      !context.uploaded.includes(event.node),
    /** From a committee member, for this epoch and the writer's object, covering exactly the shards the member holds. */
    confirmationIsValid: ({ context, event }) =>
      event.type === "StorageConfirmation" &&
      event.epoch === context.committee.epoch &&
      event.object === context.object &&
      holdsExactly(context.committee, event.node, event.shards),
    quorumOfConfirmations: ({ context, event }) =>
      event.type === "StorageConfirmation" &&
      isQuorum(weightOf(context.committee, withName(context.confirmations, event.node)), context.committee.nShards),
  },
}).createMachine({
  id: "writer",
  /** The input, with nothing uploaded or confirmed yet. */
  context: ({ input }) => ({ ...input, object: null, uploaded: [], confirmations: [] }),
  initial: "registering",
  states: {
    registering: {
      entry: {
        type: "send",
        /** The blob ID, size and root hash the chain derives the blob ID from. */
        params: ({ context }) => ({
          to: CHAIN,
          type: "RegisterBlob",
          blobId: context.blobId,
          size: context.size,
          rootHash: context.rootHash,
        }),
      },
      on: {
        BlobRegistered: { guard: "forThisBlob", target: "uploading", actions: "recordObject" },
        EpochChangeStart: { guard: "newerEpoch", actions: "writeToNewCommittee" },
      },
    },
    // Uploads go out while the writer collects confirmations and certifies, one node at a time, in
    // any order the environment picks (`Upload`); once the blob is certified the writer stops, and a
    // node whose upload never went out recovers its slivers.
    uploading: {
      on: {
        Upload: { guard: "notYetUploaded", actions: "uploadTo" },
        EpochChangeStart: { guard: "newerEpoch", target: "uploading", reenter: true, actions: "writeToNewCommittee" },
      },
      initial: "collectingConfirmations",
      states: {
        collectingConfirmations: {
          on: {
            StorageConfirmation: [
              {
                guard: and(["forThisBlob", "confirmationIsValid", "quorumOfConfirmations"]),
                target: "certifying",
                actions: "recordConfirmation",
              },
              { guard: and(["forThisBlob", "confirmationIsValid"]), actions: "recordConfirmation" },
            ],
          },
        },
        certifying: {
          entry: {
            type: "send",
            /** The confirmations collected, for the current epoch. */
            params: ({ context }) => ({
              to: CHAIN,
              type: "CertifyBlob",
              blobId: context.blobId,
              epoch: context.committee.epoch,
              signers: context.confirmations,
            }),
          },
          on: { BlobCertified: { guard: "forThisBlob", target: "#writer.certified" } },
        },
      },
    },
    certified: {},
  },
});
