/**
 * Why each state and transition that no run of the models reaches is out of reach, by machine
 * (its page name in docs/machines) and item (a state's path, or a transition as
 * `source: Event [guard] → target`, exactly as docs/coverage.md writes it). `npm run docs` fails
 * when an item is neither reached nor given here, and when an item given here is reached: a
 * reason is then stale and goes.
 *
 * A reason says what a run would need to get there and why no model gives it: a configuration the
 * catalogue does not have, an ordering the protocol rules out, or a branch kept for inputs no
 * model sends (defensive).
 */

import type { Reasons } from "./coverage-page.js";

/** The epoch-change models' chain has no `invalidate_blob_id`. */
const NO_INVALIDATION_WITH_EPOCHS =
  "The epoch-change models build the chain with `invalidation: false` (their writer is honest), so " +
  "nothing sends `InvalidateBlobId`; `chainMachine`, which the malicious-writer models run, takes it.";

/** Invalidation before certification. */
const INVALID_BEFORE_CERTIFIED =
  "An invalidation before the certification needs attestations of f + 1 shards while the blob is only " +
  "registered. The models with a malicious writer start at the point of availability, where the blob " +
  "is certified; in the models from the start the writer is honest and a Byzantine node holds f shards.";

/** Nodes of the epoch-change models do not follow these chain events. */
const EPOCH_EVENTS_NOT_SUBSCRIBED =
  "The epoch-change models do not subscribe the nodes to `EpochParametersSelected` and `ShardsReceived`, " +
  "which change nothing at a node (`models/epoch-change.ts`); the branch keeps them in chain order where " +
  "a configuration sends them.";

/** The reasons, by machine page name and item. */
export const REASONS: Reasons = {
  "chain-with-epochs": {
    "blob.invalid": NO_INVALIDATION_WITH_EPOCHS,
    "blob.registered: InvalidateBlobId [invalidation] → blob.invalid": NO_INVALIDATION_WITH_EPOCHS,
    "blob.certified: InvalidateBlobId [invalidation] → blob.invalid": NO_INVALIDATION_WITH_EPOCHS,
  },
  chain: {
    "registered: InvalidateBlobId [invalidation] → invalid": INVALID_BEFORE_CERTIFIED,
  },
  "challenge-chain": {
    "challenging: OthersCertified [othersToCertify] → (stays)":
      "`OthersCertified` comes only in `challenge-4-one-node`, where the other nodes hold 3 of 4 shards, a " +
      "quorum: recording them always ends the challenge (the branch before this one).",
  },
  "challenge-node": {
    "(challengeNode): ChallengeStart [aheadOfChainOrder] → (stays)":
      "`ChallengeStart` is the first event of every node's stream from the challenge chain (number 0), so " +
      "it is never ahead of its turn; the branch keeps one rule for every chain event.",
  },
  epochs: {
    "(chain-epochs): InvalidateBlobId [certificateOfCurrentEpoch and signersInCommittee and signersAboveValidity and not blobAlreadyInvalidated] → (stays)":
      "Driven as the chain of the epoch-change models, which is built with `invalidation: false`: nothing " +
      "sends `InvalidateBlobId` (`chainMachine` takes it in the malicious-writer models).",
  },
  "storage-node": {
    "cursor.idle: BlobRegistered [wellFormed and aheadOfChainOrder] → (stays)":
      "A node's chain stream in the write-read models opens with the blob's registration (number 0), so it " +
      "is never ahead of its turn (the epoch-change node, whose stream opens with epoch events, holds it).",
    "blob0: StoreSliverPairs [blobInvalid] → (stays)":
      "An upload that arrives after the invalidation. Only the malicious-writer models invalidate, from the " +
      "point of availability: the node that detects the inconsistency gets no upload, and every other upload " +
      "is delivered before that point.",
    "blob0: StoreSliverPairs [forBlob and metadataMatchesBlobId] → (stays)":
      "An upload whose metadata verifies but one of whose slivers does not. No model's writer sends one: a " +
      "malicious writer commits to its inconsistent slivers, so they match its metadata, and Byzantine " +
      "nodes do not upload.",
  },
};
