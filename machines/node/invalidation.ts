/**
 * Invalidation: a node that rebuilt a sliver contradicting the metadata holds an inconsistency
 * proof (paper §3.3). It attests the blob ID invalid itself, sends the proof to every other member,
 * which verifies it (`serving.ts`) and attests, and once the attestations weigh enough it asks the
 * chain to invalidate the blob ID (`invalidate_blob_id`).
 *
 * Enough attestations, a variant (`invalidationAttestations`): `validity`, the least the contract
 * accepts (3w ≥ n + 1, `includes_one_correct_node`: the paper's f + 1, one shard more when 3
 * divides n), or `quorum`, n − f, what the implementation's `GetInvalidBlobCertificate` waits for
 * (`node/committee/request_futures.rs`).
 *
 * Follows `crates/walrus-service/src/node.rs` (`verify_inconsistency_proof`) and
 * `node/blob_sync.rs` (`RecoverSliverError::Inconsistent`).
 */

import { assign, enqueueActions } from "xstate";
import { includesOneCorrectNode, isQuorum } from "../../spec/params.js";
import { CHAIN, memberOf, weightOf, withName } from "../committee.js";
import { type BlobParams, type GuardArgs, type NodeAction, blobAt, withBlobAt } from "./context.js";

type Args = GuardArgs;

/** The invalidation's guards. */
export const invalidationGuards = {
  /** An attestation for this epoch from a committee member. */
  attestationIsValid: ({ context, event }: Args) =>
    event.type === "InvalidBlobAttestation" &&
    event.epoch === context.committee.epoch &&
    memberOf(context.committee, event.node) !== undefined,
  /** Attestations enough for the chain (they include a correct node) or the node's own threshold, not yet sent. */
  attestationsSuffice: ({ context }: Args, params: BlobParams) => {
    const blob = blobAt(context, params);
    const weight = weightOf(context.committee, blob.attestations);
    const enough = context.invalidationAttestations === "quorum" ? isQuorum : includesOneCorrectNode;
    return !blob.invalidationSubmitted && enough(weight, context.committee.nShards);
  },
  /** The node asked the chain to invalidate the blob ID. */
  invalidationSubmitted: ({ context }: Args, params: BlobParams) => blobAt(context, params).invalidationSubmitted,
};

/** The invalidation's actions. */
export const invalidationActions: Record<
  "attestOwnProof" | "shareInconsistencyProof" | "recordAttestation" | "invalidateBlobId",
  NodeAction<BlobParams>
> = {
  /** The node's own attestation starts the collection (of this epoch: nothing is submitted for it yet). */
  attestOwnProof: assign(({ context }, params: BlobParams) =>
    withBlobAt(context, params, { attestations: [context.name], invalidationSubmitted: false }),
  ),
  shareInconsistencyProof: enqueueActions(({ context, enqueue }, params: BlobParams) => {
    const blob = blobAt(context, params);
    if (blob.inconsistency === null) return;
    const { axis, proof } = blob.inconsistency;
    for (const member of context.committee.members) {
      if (member.name === context.name) continue;
      enqueue({
        type: "send",
        params: {
          to: member.name,
          type: "VerifyInconsistencyProof",
          from: context.name,
          blobId: blob.blobId,
          axis,
          proof,
        },
      });
    }
  }),
  recordAttestation: assign(({ context, event }, params: BlobParams) =>
    event.type === "InvalidBlobAttestation"
      ? withBlobAt(context, params, { attestations: withName(blobAt(context, params).attestations, event.node) })
      : {},
  ),
  invalidateBlobId: enqueueActions(({ context, enqueue }, params: BlobParams) => {
    const blob = blobAt(context, params);
    enqueue({
      type: "send",
      params: {
        to: CHAIN,
        type: "InvalidateBlobId",
        blobId: blob.blobId,
        epoch: context.committee.epoch,
        signers: blob.attestations,
      },
    });
    enqueue.assign(withBlobAt(context, params, { invalidationSubmitted: true }));
  }),
};
