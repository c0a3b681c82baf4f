/**
 * A reader of one blob: it fetches the metadata (the first reply that verifies against the blob
 * ID), then slivers of one axis until enough verified ones are in, decodes, checks consistency and
 * returns the blob or ⊥.
 *
 * - in: `BlobCertified` from the chain (a reader that waits for the point of availability),
 *   `MetadataResponse` and `SliverResponse` from nodes;
 * - out: `MetadataRequest` and `SliverRequest` to every node.
 *
 * Variants, where the paper and the implementation differ:
 * - axis `primary` (the implementation: n − 2f primary slivers, `read_blob…::<Primary>` in
 *   `crates/walrus-sdk/src/node_client.rs`) or `secondary` (the paper, §3: 2f + 1 = n − f
 *   secondary slivers);
 * - consistency `default` (rebuild the systematic primary slivers and compare their hashes,
 *   walrus-core `ConsistencyCheckType::Default`) or `strict` (re-encode and compare the blob ID:
 *   the paper's check).
 * Follows paper §3 (read; Definition 1 asks read consistency and validity of it) and
 * `node_client.rs` (`read_blob_internal`, `retrieve_metadata`, `request_slivers_and_decode`). A
 * node that cannot answer yet answers later (it holds the request), which stands for the
 * implementation's retries; a node that answers ⊥ or with data that does not verify has answered.
 * When every node has answered and there is still not enough, the read returns ⊥.
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import type { Axis } from "../spec/codec/slivers.js";
import type {
  ActorName,
  BlobCertified,
  BlobIdText,
  BlobRegistered,
  InvalidBlobID,
  MetadataResponse,
  SliverResponse,
} from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import { metadataMatchesBlobId, readBlob, sliverMatchesMetadata } from "./codec.js";
import { type Committee, memberOf, send, withName } from "./committee.js";

export interface ReaderInput {
  readonly name: ActorName;
  readonly committee: Committee;
  readonly blobId: BlobIdText;
  /** Which slivers to decode from: `primary` (the implementation) or `secondary` (the paper). */
  readonly axis: Axis;
  /** `default` (the implementation) or `strict` (the paper). */
  readonly consistency: "default" | "strict";
  /** Start on `BlobCertified` (after the point of availability) or at once (racing the write). */
  readonly start: "afterCertification" | "immediately";
}

export interface ReaderContext extends ReaderInput {
  /** The verified metadata (`BlobMetadataWithId` bytes). */
  readonly metadata: ByteRef | null;
  /** Nodes that answered the current request, sorted. */
  readonly answered: readonly ActorName[];
  /** Verified slivers of the reader's axis, sorted. */
  readonly slivers: readonly ByteRef[];
  /** The blob read (its bytes), once it succeeded. */
  readonly blob: ByteRef | null;
  /** Why the read returned ⊥. */
  readonly bottom: string | null;
}

type ReaderEvent = BlobRegistered | BlobCertified | InvalidBlobID | MetadataResponse | SliverResponse;

const nShards = (context: ReaderContext) => context.committee.nShards;

/** The verified slivers with those of this response added. */
function withSlivers(context: ReaderContext, event: ReaderEvent): ByteRef[] {
  if (event.type !== "SliverResponse" || event.axis !== context.axis || event.slivers === null) {
    return [...context.slivers];
  }
  const metadata = context.metadata as ByteRef;
  const valid = event.slivers.filter((ref) =>
    sliverMatchesMetadata(metadata, context.blobId, nShards(context), ref, context.axis),
  );
  return [...new Set([...context.slivers, ...valid])].sort();
}

function outcome(context: ReaderContext, event: ReaderEvent) {
  return readBlob(
    context.metadata as ByteRef,
    context.blobId,
    nShards(context),
    context.axis,
    withSlivers(context, event),
    context.consistency,
  );
}

export const readerMachine = setup({
  types: {} as { context: ReaderContext; input: ReaderInput; events: ReaderEvent },
  actions: {
    send,
    recordAnswer: assign({
      answered: ({ context, event }) =>
        "node" in event ? withName(context.answered, event.node) : [...context.answered],
    }),
    requestMetadata: enqueueActions(({ context, enqueue }) => {
      for (const member of context.committee.members) {
        const request = { type: "MetadataRequest", from: context.name, blobId: context.blobId };
        enqueue({ type: "send", params: { to: member.name, ...request } });
      }
    }),
    requestSlivers: enqueueActions(({ context, enqueue }) => {
      for (const member of context.committee.members) {
        const request = { type: "SliverRequest", from: context.name, blobId: context.blobId, axis: context.axis };
        enqueue({ type: "send", params: { to: member.name, ...request } });
      }
    }),
  },
  guards: {
    startsImmediately: ({ context }) => context.start === "immediately",
    forThisBlob: ({ context, event }) => event.blobId === context.blobId,
    /** A first answer from a committee member (a repeated or foreign one changes nothing). */
    newAnswer: ({ context, event }) =>
      "node" in event && memberOf(context.committee, event.node) !== undefined && !context.answered.includes(event.node),
    metadataMatchesBlobId: ({ context, event }) =>
      event.type === "MetadataResponse" && metadataMatchesBlobId(event.metadata, context.blobId, nShards(context)),
    /** With this answer, every node has answered. */
    everyNodeAnswered: ({ context, event }) =>
      "node" in event && withName(context.answered, event.node).length === context.committee.members.length,
    enoughSlivers: ({ context, event }) => outcome(context, event).kind !== "notEnoughSlivers",
    decodesConsistently: ({ context, event }) => outcome(context, event).kind === "decoded",
  },
}).createMachine({
  id: "reader",
  context: ({ input }) => ({ ...input, metadata: null, answered: [], slivers: [], blob: null, bottom: null }),
  initial: "starting",
  states: {
    starting: {
      always: [{ guard: "startsImmediately", target: "fetchingMetadata" }, { target: "waitingForCertification" }],
    },
    waitingForCertification: {
      on: { BlobCertified: { guard: "forThisBlob", target: "fetchingMetadata" } },
    },
    fetchingMetadata: {
      entry: "requestMetadata",
      on: {
        MetadataResponse: [
          {
            guard: and(["forThisBlob", "newAnswer", "metadataMatchesBlobId"]),
            target: "fetchingSlivers",
            actions: assign({ metadata: ({ event }) => event.metadata }),
          },
          {
            guard: and(["forThisBlob", "newAnswer", "everyNodeAnswered"]),
            target: "failed",
            actions: assign({ bottom: "no node served metadata that matches the blob ID" }),
          },
          { guard: and(["forThisBlob", "newAnswer"]), actions: "recordAnswer" },
        ],
      },
    },
    fetchingSlivers: {
      entry: [
        assign({ answered: [] }),
        "requestSlivers",
      ],
      on: {
        SliverResponse: [
          {
            guard: and(["forThisBlob", "newAnswer", "enoughSlivers", "decodesConsistently"]),
            target: "succeeded",
            actions: assign({
              slivers: ({ context, event }) => withSlivers(context, event),
              blob: ({ context, event }) => {
                const result = outcome(context, event);
                return result.kind === "decoded" ? result.blob : null;
              },
            }),
          },
          {
            guard: and(["forThisBlob", "newAnswer", "enoughSlivers", not("decodesConsistently")]),
            target: "failed",
            actions: assign({
              slivers: ({ context, event }) => withSlivers(context, event),
              bottom: ({ context, event }) => {
                const result = outcome(context, event);
                return `inconsistent encoding: ${result.kind === "inconsistent" ? result.detail : result.kind}`;
              },
            }),
          },
          {
            guard: and(["forThisBlob", "newAnswer", "everyNodeAnswered"]),
            target: "failed",
            actions: assign({
              slivers: ({ context, event }) => withSlivers(context, event),
              bottom: "not enough slivers that match the metadata",
            }),
          },
          {
            guard: and(["forThisBlob", "newAnswer"]),
            actions: ["recordAnswer", assign({ slivers: ({ context, event }) => withSlivers(context, event) })],
          },
        ],
      },
    },
    succeeded: { type: "final" },
    failed: { type: "final" },
  },
});
