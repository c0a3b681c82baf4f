/**
 * A reader of one blob: it asks every node for the metadata and its slivers of one axis, takes the
 * first metadata that verifies against the blob ID, keeps the slivers that verify against it until
 * there are enough, decodes, checks consistency and returns the blob or ⊥.
 *
 * - in: `BlobCertified` from the chain (a reader that waits for the point of availability) and
 *   `InvalidBlobID` (the read returns ⊥), `ReadResponse` from nodes; a reader that starts when
 *   the environment says (`Read`) also follows `EpochChangeStart` and `EpochChangeDone`;
 * - out: `ReadRequest` to every node.
 *
 * Variants, where the paper and the implementation differ:
 * - axis `primary` (the implementation: n − 2f primary slivers, `read_blob…::<Primary>` in
 *   `crates/walrus-sdk/src/node_client.rs`) or `secondary` (the paper, §3: 2f + 1 = n − f
 *   secondary slivers);
 * - consistency `default` (rebuild the systematic primary slivers and compare their hashes,
 *   walrus-core `ConsistencyCheckType::Default`) or `strict` (re-encode and compare the blob ID:
 *   the paper's check).
 *
 * Follows paper §3 (read; Definition 1 asks read consistency and validity of it) and
 * `node_client.rs` (`read_blob_internal`, `retrieve_metadata`, `request_slivers_and_decode`). The
 * implementation asks for the metadata first and for the slivers next; here one request asks a
 * node for both (a node holds the metadata whenever it holds a sliver), which halves the messages
 * of a read and changes nothing a reader can observe: the metadata used is still the first that
 * verifies, and a sliver counts only once it verifies against that metadata. A node that cannot
 * answer yet answers later (it holds the request), which stands for the implementation's retries;
 * a node that answers ⊥, or with data that does not verify, has answered. When every node has
 * answered and there is still not enough, the read returns ⊥.
 *
 * Across epoch changes (paper §6; `walrus-sdk/src/active_committees.rs`, `read_committee`): a
 * reader given `committees` and the blob's certification epoch reads, when it starts, from the
 * committee that serves the blob as far as it has seen the chain: the previous committee while the
 * change to the current epoch is not done and the blob was certified before it, else the current
 * one. Its view of the chain may lag, as a client's does.
 */

import { and, assign, enqueueActions, not, setup } from "xstate";
import type { Axis } from "../spec/codec/slivers.js";
import {
  type ActorName,
  type BlobCertified,
  type BlobIdText,
  type BlobRegistered,
  type EpochChangeDone,
  type EpochChangeStart,
  type InvalidBlobID,
  type ReadResponse,
  isMessage,
} from "../spec/messages.js";
import type { ByteRef } from "../spec/store.js";
import { type ReadOutcome, metadataMatchesBlobId, readBlob } from "./codec.js";
import { type Committee, memberOf, sendMessage, withName } from "./committee.js";
import { readCommittee } from "./epochs.js";
import type { WalrusSource } from "../spec/sources.js";

/** The protocol sections and Walrus files this module follows (docs/traceability.md). */
export const follows: WalrusSource = {
  sections: ["3.1", "3.2", "6.1"],
  files: [
    "crates/walrus-sdk/src/node_client.rs",
    "crates/walrus-core/src/encoding/config.rs",
    "crates/walrus-sdk/src/active_committees.rs",
  ],
};

/** Who reads which blob from which committee, and the read's variant. */
export interface ReaderInput {
  readonly name: ActorName;
  readonly committee: Committee;
  readonly blobId: BlobIdText;
  /** Which slivers to decode from: `primary` (the implementation) or `secondary` (the paper). */
  readonly axis: Axis;
  /** `default` (the implementation) or `strict` (the paper). */
  readonly consistency: "default" | "strict";
  /**
   * Start on `BlobCertified` (after the point of availability), at once (racing the write), or on
   * the environment's `Read` (at any point of an epoch change).
   */
  readonly start: "afterCertification" | "immediately" | "onRead";
  /** With `onRead`: the committees of every epoch, the first one first, and the blob's certification epoch. */
  readonly committees?: readonly Committee[];
  readonly certifiedEpoch?: number;
}

/** The read's input with what the nodes answered so far and what it returned. */
export interface ReaderContext extends ReaderInput {
  /** The first metadata that verified (`BlobMetadataWithId` bytes). */
  readonly metadata: ByteRef | null;
  /** Nodes that answered, sorted. */
  readonly answered: readonly ActorName[];
  /** Slivers of the reader's axis received so far (verified against the metadata when decoding), sorted. */
  readonly slivers: readonly ByteRef[];
  /** The blob read (its bytes), once it succeeded. */
  readonly blob: ByteRef | null;
  /** Why the read returned ⊥. */
  readonly bottom: string | null;
  /** The last epoch whose change the reader saw start, and the last it saw done. */
  readonly epochStarted: number;
  readonly epochDone: number;
}

/** What properties read of a read: what it returned, and why it returned ⊥. */
export interface ReadView {
  /** The blob's bytes, ⊥ (`null`), or nothing yet (`undefined`). */
  readonly returned: ByteRef | null | undefined;
  /** Why it returned ⊥, once it did. */
  readonly bottom: string | null;
  /** The blob it reads. */
  readonly blobId: BlobIdText;
  /** The nodes whose answers it took, sorted. */
  readonly answered: readonly ActorName[];
}

/** The read's view, from a snapshot of the reader machine. */
export function readView(snapshot: { readonly value: unknown; readonly context: unknown }): ReadView {
  const context = snapshot.context as ReaderContext;
  const returned = snapshot.value === "succeeded" ? context.blob : snapshot.value === "failed" ? null : undefined;
  return { returned, bottom: context.bottom, blobId: context.blobId, answered: context.answered };
}

/** Why a read returned ⊥ when the chain invalidated the blob ID. */
export const INVALID_BLOB_ID = "the blob ID is invalid (InvalidBlobID)";

/** The chain's epoch events, and the environment's `Read`. */
export type ReaderEpochEvent = EpochChangeStart | EpochChangeDone | { readonly type: "Read" };

/** Every event the reader takes. */
export type ReaderEvent = BlobRegistered | BlobCertified | InvalidBlobID | ReadResponse | ReaderEpochEvent;

const nShards = (context: ReaderContext) => context.committee.nShards;

/** The metadata and slivers at hand once this response is taken in. */
function withResponse(context: ReaderContext, event: ReaderEvent): { metadata: ByteRef | null; slivers: ByteRef[] } {
  if (event.type !== "ReadResponse") return { metadata: context.metadata, slivers: [...context.slivers] };
  const offered = event.metadata;
  const metadata =
    context.metadata ??
    (offered !== null && metadataMatchesBlobId(offered, context.blobId, nShards(context)) ? offered : null);
  const slivers = event.axis === context.axis && event.slivers !== null ? event.slivers : [];
  return { metadata, slivers: [...new Set([...context.slivers, ...slivers])].sort() };
}

/** What decoding gives once this response is taken in (not enough until there is metadata). */
function outcome(context: ReaderContext, event: ReaderEvent): ReadOutcome {
  const { metadata, slivers } = withResponse(context, event);
  if (metadata === null) return { kind: "notEnoughSlivers", have: 0, need: 1 };
  return readBlob(metadata, context.blobId, nShards(context), context.axis, slivers, context.consistency);
}

/** The context with this response taken in. */
function taken(context: ReaderContext, event: ReaderEvent) {
  return {
    ...withResponse(context, event),
    answered: "node" in event ? withName(context.answered, event.node) : [...context.answered],
  };
}

/** One read of one blob, until it returns the blob (`succeeded`) or ⊥ (`failed`). */
export const readerMachine = setup({
  types: {} as { context: ReaderContext; input: ReaderInput; events: ReaderEvent },
  actions: {
    send: sendMessage,
    takeResponse: assign(({ context, event }) => taken(context, event)),
    returnBlob: assign(({ context, event }) => {
      const result = outcome(context, event);
      return { ...taken(context, event), blob: result.kind === "decoded" ? result.blob : null };
    }),
    returnBottom: assign(({ context, event }) => {
      const result = outcome(context, event);
      const { metadata } = withResponse(context, event);
      return {
        ...taken(context, event),
        bottom:
          result.kind === "inconsistent"
            ? `inconsistent encoding: ${result.detail}`
            : metadata === null
              ? "no node served metadata that matches the blob ID"
              : "not enough slivers that match the metadata",
      };
    }),
    seeEpochChange: assign(({ context, event }) => {
      // The events may arrive in any order; what the reader knows only grows.
      const epoch = "epoch" in event ? (event.epoch as number) : 0;
      const done = event.type === "EpochChangeDone" ? Math.max(context.epochDone, epoch) : context.epochDone;
      return { epochDone: done, epochStarted: Math.max(context.epochStarted, epoch, done) };
    }),
    chooseReadCommittee: assign(({ context }) => {
      const byEpoch = (epoch: number) => context.committees?.find((c) => c.epoch === epoch);
      const current = byEpoch(context.epochStarted) ?? context.committee;
      const previous = byEpoch(context.epochStarted - 1) ?? null;
      const transitioning = context.epochDone < context.epochStarted;
      return {
        committee: readCommittee(
          { committee: current, previousCommittee: previous },
          transitioning,
          context.certifiedEpoch ?? current.epoch,
        ),
      };
    }),
    requestFromEveryNode: enqueueActions(({ context, enqueue }) => {
      for (const member of context.committee.members) {
        const request = {
          type: "ReadRequest" as const,
          from: context.name,
          blobId: context.blobId,
          axis: context.axis,
        };
        enqueue({ type: "send", params: { to: member.name, ...request } });
      }
    }),
  },
  guards: {
    startsImmediately: ({ context }) => context.start === "immediately",
    startsOnRead: ({ context }) => context.start === "onRead",
    /** A well-formed message about this blob. */
    forThisBlob: ({ context, event }) =>
      "blobId" in event && isMessage(event, event.type) && event.blobId === context.blobId,
    /** A first answer from a committee member (a repeated or foreign one changes nothing). */
    newAnswer: ({ context, event }) =>
      "node" in event &&
      memberOf(context.committee, event.node) !== undefined &&
      !context.answered.includes(event.node),
    enoughSlivers: ({ context, event }) => outcome(context, event).kind !== "notEnoughSlivers",
    decodesConsistently: ({ context, event }) => outcome(context, event).kind === "decoded",
    /** With this answer, every node has answered. */
    everyNodeAnswered: ({ context, event }) =>
      "node" in event && withName(context.answered, event.node).length === context.committee.members.length,
  },
}).createMachine({
  id: "reader",
  /** Nothing answered, received or returned yet. */
  context: ({ input }) => ({
    ...input,
    metadata: null,
    answered: [],
    slivers: [],
    blob: null,
    bottom: null,
    epochStarted: input.committee.epoch,
    epochDone: input.committee.epoch,
  }),
  initial: "starting",
  // Clients turn an invalid blob ID into "does not exist": ⊥, whatever the read had gathered. A
  // read that has returned is over (its states are final), so the answer it gave stands.
  on: {
    InvalidBlobID: {
      guard: "forThisBlob",
      target: ".failed",
      actions: assign({ bottom: INVALID_BLOB_ID }),
    },
  },
  states: {
    starting: {
      always: [
        { guard: "startsImmediately", target: "reading" },
        { guard: "startsOnRead", target: "waitingForRead" },
        { target: "waitingForCertification" },
      ],
    },
    waitingForRead: {
      on: {
        EpochChangeStart: { actions: "seeEpochChange" },
        EpochChangeDone: { actions: "seeEpochChange" },
        Read: { target: "reading", actions: "chooseReadCommittee" },
      },
    },
    waitingForCertification: {
      on: { BlobCertified: { guard: "forThisBlob", target: "reading" } },
    },
    reading: {
      entry: "requestFromEveryNode",
      on: {
        ReadResponse: [
          {
            guard: and(["forThisBlob", "newAnswer", "enoughSlivers", "decodesConsistently"]),
            target: "succeeded",
            actions: "returnBlob",
          },
          {
            guard: and(["forThisBlob", "newAnswer", "enoughSlivers", not("decodesConsistently")]),
            target: "failed",
            actions: "returnBottom",
          },
          { guard: and(["forThisBlob", "newAnswer", "everyNodeAnswered"]), target: "failed", actions: "returnBottom" },
          { guard: and(["forThisBlob", "newAnswer"]), actions: "takeResponse" },
        ],
      },
    },
    succeeded: { type: "final" },
    failed: { type: "final" },
  },
});
