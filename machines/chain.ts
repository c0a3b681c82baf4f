/**
 * The chain (Sui, the control layer) as far as one blob's write is concerned: the life of its
 * `Blob` object, from registration to certification, and the events every subscriber sees.
 *
 * - in: `RegisterBlob` and `CertifyBlob` from the writer;
 * - out: `BlobRegistered` and `BlobCertified` to the subscribers of each (storage nodes: all
 *   events; the writer: its transactions' effects; readers: the certification), numbered in chain
 *   order: subscribers may receive them in any order and process them in this one.
 *
 * Follows paper §4 (the write's on-chain steps; the certificate is the point of availability) and
 * `contracts/walrus/sources/system/system_state_inner.move` (`register_blob`, `certify_blob`) with
 * `blob.move` (`derive_blob_id`, `certify_with_certified_msg`): registration re-derives the blob ID
 * from the root hash and size; certification needs signatures of a quorum (`is_quorum`: 2f + 1 of
 * n shards) of the current epoch's committee, for a registered blob not yet certified. The
 * certificate is the list of signers' names: BLS aggregation is not modelled, the authenticated
 * channels of the model stand for the signatures. Storage resources and fees are not modelled.
 */

import { and, assign, enqueueActions, setup } from "xstate";
import { isQuorum } from "../spec/params.js";
import type {
  ActorName,
  BlobCertified,
  BlobIdText,
  BlobRegistered,
  CertifyBlob,
  ChainEvent,
  RegisterBlob,
} from "../spec/messages.js";
import { blobIdDerivesFromRootHash } from "./codec.js";
import { CHAIN, type Committee, type Outgoing, memberOf, send, weightOf } from "./committee.js";

/** Who receives which of the chain's events. */
export interface Subscriber {
  readonly name: ActorName;
  readonly events: readonly ChainEvent["type"][];
}

export interface ChainInput {
  readonly committee: Committee;
  readonly subscribers: readonly Subscriber[];
}

export interface ChainContext extends ChainInput {
  /** Sequence number of the next event. */
  readonly seq: number;
  readonly blobId: BlobIdText | null;
  readonly size: number;
  /** The certificate's signers, once certified. */
  readonly signers: readonly ActorName[];
}

type ChainMachineEvent = RegisterBlob | CertifyBlob;

/** The event, numbered, to every subscriber: one message each. */
function toSubscribers(
  context: ChainContext,
  event: Omit<BlobRegistered, "seq"> | Omit<BlobCertified, "seq">,
): Outgoing[] {
  return context.subscribers
    .filter((subscriber) => subscriber.events.includes(event.type))
    .map((subscriber) => ({ to: subscriber.name, ...event, seq: context.seq }));
}

export const chainMachine = setup({
  types: {} as { context: ChainContext; input: ChainInput; events: ChainMachineEvent },
  actions: { send },
  guards: {
    blobIdDerivesFromRootHash: ({ event }) =>
      event.type === "RegisterBlob" && blobIdDerivesFromRootHash(event.blobId, event.size, event.rootHash),
    certificateForThisBlob: ({ context, event }) => event.type === "CertifyBlob" && event.blobId === context.blobId,
    certificateOfCurrentEpoch: ({ context, event }) =>
      event.type === "CertifyBlob" && event.epoch === context.committee.epoch,
    certificateIsQuorum: ({ context, event }) =>
      event.type === "CertifyBlob" &&
      event.signers.every((name) => memberOf(context.committee, name) !== undefined) &&
      isQuorum(weightOf(context.committee, event.signers), context.committee.nShards),
  },
}).createMachine({
  id: CHAIN,
  context: ({ input }) => ({ ...input, seq: 0, blobId: null, size: 0, signers: [] }),
  initial: "noBlob",
  states: {
    noBlob: {
      on: {
        RegisterBlob: {
          guard: "blobIdDerivesFromRootHash",
          target: "registered",
          actions: assign({ blobId: ({ event }) => event.blobId, size: ({ event }) => event.size }),
        },
      },
    },
    registered: {
      entry: enqueueActions(({ context, enqueue }) => {
        const event = {
          type: "BlobRegistered",
          epoch: context.committee.epoch,
          blobId: context.blobId as BlobIdText,
          size: context.size,
        } as const;
        for (const message of toSubscribers(context, event)) enqueue({ type: "send", params: message });
        enqueue.assign({ seq: context.seq + 1 });
      }),
      on: {
        CertifyBlob: {
          guard: and(["certificateForThisBlob", "certificateOfCurrentEpoch", "certificateIsQuorum"]),
          target: "certified",
          actions: assign({ signers: ({ event }) => [...new Set(event.signers)].sort() }),
        },
      },
    },
    certified: {
      entry: enqueueActions(({ context, enqueue }) => {
        const event = {
          type: "BlobCertified",
          epoch: context.committee.epoch,
          blobId: context.blobId as BlobIdText,
        } as const;
        for (const message of toSubscribers(context, event)) enqueue({ type: "send", params: message });
        enqueue.assign({ seq: context.seq + 1 });
      }),
    },
  },
});
