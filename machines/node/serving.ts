/**
 * Serving: a node answers reads, recovery requests and inconsistency proofs from what it holds.
 * A request it cannot answer yet is held and answered as soon as it can be (this stands for the
 * requester's retries), so every request is answered once; a recovery request is answered axis by
 * axis, each once the node holds the slivers its symbols come from.
 *
 * - `ReadRequest` → `ReadResponse`: the metadata and the slivers of the axis asked, once the node
 *   holds them all (`retrieve_sliver`);
 * - `RecoverySymbolRequest` → `RecoverySymbolResponse`: the metadata and the symbols of the indices
 *   asked (`retrieve_recovery_symbol`);
 * - `VerifyInconsistencyProof` → `InvalidBlobAttestation`, only if the proof verifies against the
 *   node's metadata (`verify_inconsistency_proof`);
 * - `ShardSyncRequest` → `ShardSyncResponse`, once the node is at the request's epoch: the slivers
 *   of the axis asked that the shard holds of every blob certified before the epoch, with their
 *   metadata; refused (`null`) unless the requester owns the shard in the node's current epoch and
 *   the epoch is that one (`sync_shard`);
 * - ⊥ (no metadata, no slivers) for a blob the node does not follow, a blob ID it saw invalidated,
 *   or indices that do not exist;
 * - with the challenge region, in challenge mode: no read or recovery answer about a challenged
 *   blob until the challenge ends (`challenge.ts`, `withholds`; paper §5, step 1).
 *
 * Follows `crates/walrus-service/src/node.rs`.
 */

import { match } from "ts-pattern";
import { assign, enqueueActions } from "xstate";
import type { ShardSyncRequest } from "../../spec/messages.js";
import { type Addressed, memberOf, sortedSet } from "../committee.js";
import { inconsistencyProofIsValid } from "../codec.js";
import {
  type BlobAtNode,
  type HeldRequest,
  type StorageNodeContext,
  type StorageNodeEvent,
  type NodeAction,
  movedBy,
  nOf,
} from "./context.js";
import { statusOf } from "./blob-info.js";
import { withAnswersLogged, withholds } from "./challenge-context.js";
import { holdsAxis, readAnswer, recoverySymbolsOf, servableAxes } from "./slivers.js";

/** The blob a request is about, if the node follows it and has not seen it invalidated. */
function servedBlob(context: StorageNodeContext, request: BlobRequest): BlobAtNode | undefined {
  const blob = context.blobs.find((b) => b.blobId === request.blobId);
  if (blob === undefined || statusOf(blob.record) === "invalid") return undefined;
  if (
    request.type === "RecoverySymbolRequest" &&
    [...request.primary, ...request.secondary].some((i) => i >= nOf(context))
  ) {
    return undefined;
  }
  return blob;
}

/** A request about one blob. */
type BlobRequest = Exclude<HeldRequest, ShardSyncRequest>;

/** Whether the node can answer (some of) the request now (not while the storage challenge withholds it). */
function answerable(context: StorageNodeContext, request: HeldRequest): boolean {
  if (withholds(context, request)) return false;
  if (request.type === "ShardSyncRequest") return context.committee.epoch >= request.epoch;
  const blob = servedBlob(context, request);
  if (blob === undefined) return true;
  if (blob.metadata === null) return false;
  return match(request)
    .with({ type: "ReadRequest" }, (read) => blob.slivers.length > 0 && holdsAxis(blob, read.axis))
    .with({ type: "RecoverySymbolRequest" }, (recovery) => servableAxes(blob, recovery).length > 0)
    .with({ type: "VerifyInconsistencyProof" }, () => true)
    .exhaustive();
}

/** What answering a request gives: the reply (none to a proof that does not verify), and what remains to answer later. */
interface Answered {
  readonly reply: Addressed | null;
  readonly rest: HeldRequest | null;
}

/** `sync_shard`: the shard's slivers of blobs certified before the epoch, only to its owner in the node's current epoch. */
function shardSyncAnswer(context: StorageNodeContext, request: ShardSyncRequest): Addressed {
  const ownerAsks =
    request.epoch === context.committee.epoch &&
    memberOf(context.committee, request.from)?.shards.includes(request.shard) === true &&
    context.shards.some((shard) => shard.shard === request.shard);
  const slivers = context.blobs.flatMap((blob) => {
    const sliver = blob.slivers.find((slot) => slot.shard === request.shard)?.[request.axis] ?? null;
    return movedBy(blob, request.epoch) && blob.metadata !== null && sliver !== null
      ? [{ blobId: blob.blobId, metadata: blob.metadata, sliver }]
      : [];
  });
  return {
    to: request.from,
    type: "ShardSyncResponse",
    node: context.name,
    shard: request.shard,
    axis: request.axis,
    epoch: request.epoch,
    slivers: ownerAsks ? slivers : null,
  };
}

/** The answer to a request the node can answer; ⊥ about a blob it does not serve. */
function answer(context: StorageNodeContext, request: HeldRequest): Answered {
  if (request.type === "ShardSyncRequest") return { reply: shardSyncAnswer(context, request), rest: null };
  const blob = servedBlob(context, request);
  const n = nOf(context);
  return match(request)
    .returnType<Answered>()
    .with({ type: "VerifyInconsistencyProof" }, (proof) => {
      const valid =
        blob?.metadata != null && inconsistencyProofIsValid(blob.metadata, blob.blobId, n, proof.axis, proof.proof);
      const attestation = {
        to: proof.from,
        type: "InvalidBlobAttestation" as const,
        node: context.name,
        epoch: context.committee.epoch,
        blobId: proof.blobId,
      };
      return { reply: valid ? attestation : null, rest: null };
    })
    .with({ type: "ReadRequest" }, (read) => {
      const payload = blob === undefined ? { metadata: null, slivers: null } : readAnswer(blob, read);
      // Field order is the messages' identity in traces and the order the checker meets them in.
      const reply = {
        to: read.from,
        node: context.name,
        blobId: read.blobId,
        type: "ReadResponse" as const,
        axis: read.axis,
      };
      return { reply: { ...reply, ...payload }, rest: null };
    })
    .with({ type: "RecoverySymbolRequest" }, (recovery) => {
      const reply = {
        to: recovery.from,
        node: context.name,
        blobId: recovery.blobId,
        type: "RecoverySymbolResponse" as const,
      };
      if (blob === undefined) return { reply: { ...reply, metadata: null, symbols: null }, rest: null };
      const axes = servableAxes(blob, recovery);
      const rest = {
        ...recovery,
        primary: axes.includes("primary") ? [] : recovery.primary,
        secondary: axes.includes("secondary") ? [] : recovery.secondary,
      };
      return {
        reply: { ...reply, metadata: blob.metadata, symbols: recoverySymbolsOf(blob, recovery, axes, n) },
        rest: rest.primary.length + rest.secondary.length > 0 ? rest : null,
      };
    })
    .exhaustive();
}

/** Whether the node's event is a request (the chart routes only those to `holdRequest`). */
const isRequest = (event: StorageNodeEvent): event is HeldRequest =>
  event.type === "ReadRequest" ||
  event.type === "RecoverySymbolRequest" ||
  event.type === "VerifyInconsistencyProof" ||
  event.type === "ShardSyncRequest";

/** The serving guards. */
export const servingGuards = {
  /** Some held request can be answered now. */
  canAnswerHeldRequest: ({ context }: { context: StorageNodeContext }) =>
    context.held.some((request) => answerable(context, request)),
};

/** The serving actions. */
export const servingActions: Record<"holdRequest" | "answerHeldRequests", NodeAction> = {
  /** Keep the request until it can be answered (a sorted set: arrival order makes no distinct states). */
  holdRequest: assign({
    held: ({ context, event }) => (isRequest(event) ? sortedSet([...context.held, event]) : [...context.held]),
  }),
  /**
   * Answer every held request the node can answer; an attestation is remembered on the blob, and
   * an answer given in challenge mode in the challenge's log.
   */
  answerHeldRequests: enqueueActions(({ context, enqueue }) => {
    const rest: HeldRequest[] = [];
    const answeredNow: HeldRequest[] = [];
    let blobs = context.blobs;
    for (const request of context.held) {
      if (!answerable(context, request)) {
        rest.push(request);
        continue;
      }
      answeredNow.push(request);
      const answered = answer(context, request);
      if (answered.reply !== null) enqueue({ type: "send", params: answered.reply });
      if (answered.reply?.type === "InvalidBlobAttestation") {
        const about = answered.reply.blobId;
        blobs = blobs.map((blob) => (blob.blobId === about ? { ...blob, attested: true } : blob));
      }
      if (answered.rest !== null) rest.push(answered.rest);
    }
    enqueue.assign({ held: sortedSet(rest), blobs, ...withAnswersLogged(context, answeredNow) });
  }),
};
