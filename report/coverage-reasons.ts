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

/** The one-blob epoch-change models' chain has no `invalidate_blob_id`. */
const NO_INVALIDATION_WITH_EPOCHS =
  "The one-blob epoch-change models build the chain with `invalidation: false` (no writer, or an honest " +
  "one), so nothing sends `InvalidateBlobId`; the two-blob models, whose nodes are another machine, do.";

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

/** An upload whose metadata verifies but one of whose slivers does not. */
const SLIVER_FAILS_ITS_PROOF =
  "An upload whose metadata verifies but one of whose slivers does not. No model's writer sends one: a " +
  "malicious writer commits to its inconsistent slivers, so they match its metadata, and Byzantine " +
  "nodes do not upload.";

/** The catalogue's changes move one shard. */
const ONLY_SHARD_3_MOVES =
  "The catalogue's epoch changes move only shard 3 (N3 → N4, `DEFAULT_CHANGE` in models/epoch-change.ts; " +
  "a second change keeps it with N4): shards 0–2 stay `Active` at their nodes, or `None` at the others. " +
  "Shard 3's region takes these transitions.";

/** Only a node that restarts behind the chain. */
const NO_RESTART =
  "Only a node that restarts behind the chain takes this (`LagDetected`, `CaughtUp`, `NodeRecoveryComplete`, " +
  "`RestartShardSync`); the catalogue has no crash-restart model yet. test/node-status.test.ts drives it " +
  "through the node.";

/** The catalogue never moves a shard, or a node, twice. */
const NOTHING_MOVES_TWICE =
  "Needs a change that takes away a shard, or the membership, that the change before gave: the " +
  "catalogue's second change keeps shard 3 and N4 where the first put them.";

/** A node that holds a blob and gains a shard whose transfer leaves it out. */
const GAINED_WHILE_HOLDING =
  "Only a node that stores the blob in some shards and then gains another, whose transfer leaves the blob " +
  "out, goes back to recovering it; in the catalogue the node that gains a shard (N4) held nothing before.";

/** The one-blob epoch models' blob is certified before the model. */
const STORED_BEFORE_THE_MODEL =
  "The blob is the one certified before the model starts (`stored` in models/epoch-change.ts): nobody " +
  "registers, certifies, uploads or confirms it while the model runs.";

/** The blob stored before the model is an honest writer's. */
const HONEST_STORED_BLOB =
  "The blob stored before the model is an honest writer's: no node finds an inconsistency in it, and " +
  "nothing invalidates it (in the one-blob epoch models the chain has no `invalidate_blob_id`).";

/** The two-blob models' transfer always completes. */
const TRANSFER_COMPLETES =
  "The two-blob models run without `ShardSyncTimeout` and `ShardSyncFails`, and N3 answers the transfer in " +
  "full: shard 3 goes from `ActiveSync` to `Active`, and the stored blob comes to N4 by the transfer.";

/** No model deletes a `Blob` object or lets one end. */
const NO_OBJECT_DELETED =
  "No model of the catalogue deletes a `Blob` object or lets one end: the chain of the write, " +
  "epoch-change and challenge models has one permanent object per blob, in a resource that outlives the " +
  "model (`THE_OBJECT` in machines/chain.ts), so nothing emits `BlobDeleted` and the collection at an " +
  "epoch's start takes nothing. The contract's side is in machines/blob-objects.ts and the node's record " +
  "in machines/node/blob-info.ts (test/blob-lifecycle.test.ts); test/walrus-machines.test.ts and " +
  "test/node-status.test.ts drive the node through a deletion, a new registration and a collection.";

/** The items a node of `blobs` blobs (with `epochs`, its collection too) has for an object's end. */
const objectDeletion = (blobs: number, epochs = false): Record<string, string> =>
  each(NO_OBJECT_DELETED, [
    "cursor.idle: BlobDeleted [wellFormed and aheadOfChainOrder] → (stays)",
    "cursor.idle: BlobDeleted [wellFormed and inChainOrder] → cursor.passing",
    ...Array.from({ length: blobs }, (_, b) => [
      `blob${b}: chain.BlobDeleted [aboutBlob] → (stays)`,
      `blob${b}: chain.BlobDeleted [aboutBlob and deletionRetiresBlob] → blob${b}.deleted`,
      `blob${b}.recovering: always [healingCancelled] → blob${b}.awaitingSlivers`,
      `blob${b}.deleted: chain.BlobRegistered [aboutBlob and not blobInvalid] → blob${b}.awaitingSlivers`,
      ...(epochs ? [`blob${b}: chain.EpochChangeStart [collectionRetiresBlob] → blob${b}.deleted`] : []),
      // The stored blob 0 is never deleted; blob 1 of the two-blob models has its own reason.
      ...(epochs && b === 0 ? [`blob${b}.deleted: chain.EpochChangeStart → (stays)`] : []),
    ]).flat(),
  ]);

/** A transfer that ends without filling the shard. */
const TRANSFER_ENDS_SHORT =
  "A transfer that ends without filling shard 3: N3's pages leave out a blob the shard needs (the written " +
  "blob, certified after N3 answered), and N4 recovers it. Only the simulated `epoch-change-4-two-blobs` " +
  "can get there, and its seeded walks (`DEFAULT_SIMULATION` in report/coverage-drivers.ts) need not meet it.";

/** The items of a shard's region that a shard the changes do not move never takes. */
const unmovedShard = (s: number): string[] => [
  `shard${s}.Active: chain.EpochChangeStart [losesShard] → shard${s}.LockedToMove`,
  `shard${s}.ActiveRecover`,
  `shard${s}.ActiveRecover: RestartShardSync [hasPreviousOwner] → shard${s}.ActiveSync`,
  `shard${s}.ActiveRecover: ShardSyncFails [stillFilling] → (stays)`,
  `shard${s}.ActiveRecover: always [shardRecovered] → shard${s}.Active`,
  `shard${s}.ActiveRecover: chain.EpochChangeStart [losesShard] → shard${s}.LockedToMove`,
  `shard${s}.ActiveSync`,
  `shard${s}.ActiveSync: ShardSyncFails [stillFilling] → (stays)`,
  `shard${s}.ActiveSync: ShardSyncResponse [awaitedSyncResponse and transferEnds and shardFilledBy] → shard${s}.Active`,
  `shard${s}.ActiveSync: ShardSyncResponse [awaitedSyncResponse and transferEnds] → shard${s}.ActiveRecover`,
  `shard${s}.ActiveSync: ShardSyncResponse [awaitedSyncResponse] → (stays)`,
  `shard${s}.ActiveSync: ShardSyncTimeout [transferRunning] → shard${s}.ActiveRecover`,
  `shard${s}.ActiveSync: chain.EpochChangeStart [losesShard] → shard${s}.LockedToMove`,
  `shard${s}.LockedToMove`,
  `shard${s}.None: chain.EpochChangeStart [gainsShard and hasPreviousOwner] → shard${s}.ActiveSync`,
  `shard${s}.None: chain.EpochChangeStart [gainsShard] → shard${s}.Active`,
];

/** Shard 3 always moves from a node that held it. */
const SHARD_3_HAS_AN_OWNER =
  "Shard 3 moves from N3, which held it in the first epoch: it always has a previous owner to transfer " +
  "from. A gained shard with no previous owner needs a committee that grows the shard count.";

/** The status region's items only a restart reaches. */
const RESTART_ONLY = [
  "status.Active: LagDetected → status.RecoveryCatchUp",
  "status.RecoverMetadata: LagDetected → status.RecoveryCatchUp",
  "status.RecoveryCatchUp",
  "status.RecoveryCatchUp: CaughtUp [joinsCommittee] → status.RecoverMetadata",
  "status.RecoveryCatchUp: CaughtUp [leavesCommittee] → status.Standby",
  "status.RecoveryCatchUp: CaughtUp [staysInCommittee] → status.RecoveryInProgress",
  "status.RecoveryCatchUpWithIncompleteHistory",
  "status.RecoveryCatchUpWithIncompleteHistory: CaughtUp [joinsCommittee] → status.RecoverMetadata",
  "status.RecoveryCatchUpWithIncompleteHistory: CaughtUp [leavesCommittee] → status.Standby",
  "status.RecoveryCatchUpWithIncompleteHistory: CaughtUp [staysInCommittee] → status.RecoveryInProgress",
  "status.RecoveryInProgress",
  "status.RecoveryInProgress: LagDetected → status.RecoveryCatchUp",
  "status.RecoveryInProgress: NodeRecoveryComplete → status.Active",
  "status.RecoveryInProgress: chain.EpochChangeStart [leavesCommittee] → status.Standby",
  "status.RecoveryInProgress: chain.EpochChangeStart [staysInCommittee] → (stays)",
  "status.Standby: LagDetected → status.RecoveryCatchUp",
  "status.Standby: LagDetectedWithIncompleteHistory → status.RecoveryCatchUpWithIncompleteHistory",
  "shard3.ActiveRecover: RestartShardSync [hasPreviousOwner] → shard3.ActiveSync",
];

/** `reason` for each of `items`. */
const each = (reason: string, items: readonly string[]): Record<string, string> =>
  Object.fromEntries(items.map((item) => [item, reason]));

/** What every node with epochs leaves out: the shards that do not move, a restart, a second move, the unfollowed events. */
const EPOCH_NODE: Record<string, string> = {
  ...each(ONLY_SHARD_3_MOVES, [0, 1, 2].flatMap(unmovedShard)),
  ...each(NO_RESTART, RESTART_ONLY),
  "shard3.None: chain.EpochChangeStart [gainsShard] → shard3.Active": SHARD_3_HAS_AN_OWNER,
  ...each(NOTHING_MOVES_TWICE, [
    "shard3.ActiveRecover: chain.EpochChangeStart [losesShard] → shard3.LockedToMove",
    "shard3.ActiveSync: chain.EpochChangeStart [losesShard] → shard3.LockedToMove",
    "status.RecoverMetadata: chain.EpochChangeStart [leavesCommittee] → status.Standby",
  ]),
  ...each(EPOCH_EVENTS_NOT_SUBSCRIBED, [
    "cursor.idle: EpochParametersSelected [wellFormed and knownEpoch and aheadOfChainOrder] → (stays)",
    "cursor.idle: EpochParametersSelected [wellFormed and knownEpoch and inChainOrder] → cursor.passing",
    "cursor.idle: ShardsReceived [wellFormed and knownEpoch and aheadOfChainOrder] → (stays)",
    "cursor.idle: ShardsReceived [wellFormed and knownEpoch and inChainOrder] → cursor.passing",
  ]),
};

/** The stored blob's region (blob 0) at a node with epochs: nobody writes it, and it is consistent. */
const STORED_BLOB_REGION: Record<string, string> = {
  ...each(STORED_BEFORE_THE_MODEL, [
    "blob0.stored: always [shouldConfirm] → (stays)",
    "blob0: StoreSliverPairs [forBlob and metadataMatchesBlobId and (not blobRegistered or ownsNoShard)] → (stays)",
    "blob0: StoreSliverPairs [forBlob and metadataMatchesBlobId and uploadCompletesStorage] → blob0.stored",
    "blob0: StoreSliverPairs [forBlob and metadataMatchesBlobId] → (stays)",
    "blob0: chain.BlobCertified [aboutBlob] → (stays)",
    "blob0: chain.BlobRegistered [aboutBlob] → (stays)",
    "blob0: chain.EpochChangeStart [uploadHeld] → (stays)",
  ]),
  ...each(HONEST_STORED_BLOB, [
    "blob0.deleted",
    "blob0.inconsistencyDetected",
    "blob0.inconsistencyDetected: InvalidBlobAttestation [forBlob and attestationIsValid and not invalidationSubmitted] → (stays)",
    "blob0.inconsistencyDetected: always [attestationsSuffice] → (stays)",
    "blob0.inconsistencyDetected: chain.EpochChangeStart → blob0.inconsistencyDetected",
    "blob0.recovering.choosingStep: always [inconsistencyFound] → blob0.inconsistencyDetected",
    "blob0: StoreSliverPairs [blobInvalid] → (stays)",
    "blob0: chain.InvalidBlobID [aboutBlob] → blob0.deleted",
  ]),
  "blob0.stored: always [recoveryDue] → blob0.recovering": GAINED_WHILE_HOLDING,
};

/** The challenge models' blobs are certified and stored before the model. */
const CHALLENGE_BLOBS_STORED =
  "In the challenge models every blob is certified before the model and every node holds its slivers " +
  "(`stored` in models/challenge.ts): nobody registers, certifies, uploads, confirms or invalidates one, " +
  "and no node finds an inconsistency. The storage-node pages cover these items with the write models.";

/** A deleted node keeps the metadata. */
const DELETED_NODE_KEEPS_METADATA =
  "A deleted node throws its slivers away but keeps the blob's metadata (small, and on chain in spirit), " +
  "so it never recovers without it.";

/** `ChallengeStart` opens every node's challenge stream. */
const CHALLENGE_START_FIRST =
  "`ChallengeStart` is the first event of every node's stream from the challenge chain (number 0), so it " +
  "is never ahead of its turn; the branch keeps one rule for every chain event.";

/** The lightweight models' cheater threw away blob 1 only, and rebuilds by recovery or not at all. */
const LIGHTWEIGHT_CHEATER_BLOB_1 =
  "The lightweight models' deleted node threw away blob 1 only (`LIGHTWEIGHT_CHEATER` in models/index.ts), " +
  "so no node recovers blobs 0 and 2, and it rebuilds by recovery or not at all, never by reading.";

/** The items of a challenge node's blob `b` that only writes, invalidation and healing without metadata reach. */
const writtenBlob = (b: number): string[] => [
  `blob${b}.deleted`,
  `blob${b}.inconsistencyDetected`,
  `blob${b}.inconsistencyDetected: InvalidBlobAttestation [forBlob and attestationIsValid and not invalidationSubmitted] → (stays)`,
  `blob${b}.inconsistencyDetected: always [attestationsSuffice] → (stays)`,
  `blob${b}.recovering.choosingStep: always [inconsistencyFound] → blob${b}.inconsistencyDetected`,
  `blob${b}.stored: always [shouldConfirm] → (stays)`,
  `blob${b}: StoreSliverPairs [blobInvalid] → (stays)`,
  `blob${b}: StoreSliverPairs [forBlob and metadataMatchesBlobId and not blobRegistered] → (stays)`,
  `blob${b}: StoreSliverPairs [forBlob and metadataMatchesBlobId and uploadCompletesStorage] → blob${b}.stored`,
  `blob${b}: StoreSliverPairs [forBlob and metadataMatchesBlobId] → (stays)`,
  `blob${b}: chain.BlobCertified [aboutBlob] → (stays)`,
  `blob${b}: chain.BlobRegistered [aboutBlob] → (stays)`,
  `blob${b}: chain.InvalidBlobID [aboutBlob] → blob${b}.deleted`,
];

/** The healing items of a challenge node's blob `b` when no node recovers it. */
const unhealedBlob = (b: number): string[] => [
  `blob${b}.awaitingSlivers: always [recoveryDue and not leftUnhealed] → blob${b}.recovering`,
  `blob${b}.recovering`,
  `blob${b}.recovering.choosingStep`,
  `blob${b}.recovering.choosingStep: always [lacksPrimarySlivers] → blob${b}.recovering.recoveringPrimary`,
  `blob${b}.recovering.choosingStep: always [lacksSecondarySlivers] → blob${b}.recovering.recoveringSecondary`,
  `blob${b}.recovering.choosingStep: always → blob${b}.stored`,
  `blob${b}.recovering.recoveringPrimary`,
  `blob${b}.recovering.recoveringPrimary: always [symbolsSufficeForPrimary] → blob${b}.recovering.choosingStep`,
  `blob${b}.recovering.recoveringSecondary`,
  `blob${b}.recovering.recoveringSecondary: always [symbolsSufficeForSecondary] → blob${b}.recovering.choosingStep`,
  `blob${b}.recovering: RecoverySymbolResponse [forBlob and fromPeer] → blob${b}.recovering.choosingStep`,
];

/** What a challenge node of `blobs` blobs leaves out in every challenge model. */
function challengeNode(blobs: number): Record<string, string> {
  const range = Array.from({ length: blobs }, (_, b) => b);
  return {
    ...each(CHALLENGE_BLOBS_STORED, [
      ...range.flatMap(writtenBlob),
      "cursor.idle: BlobCertified [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: BlobCertified [wellFormed and inChainOrder] → cursor.passing",
      "cursor.idle: BlobRegistered [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: BlobRegistered [wellFormed and inChainOrder] → cursor.passing",
      "cursor.idle: InvalidBlobID [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: InvalidBlobID [wellFormed and inChainOrder] → cursor.passing",
      "serving: VerifyInconsistencyProof [wellFormed] → (stays)",
    ]),
    ...each(
      DELETED_NODE_KEEPS_METADATA,
      range.flatMap((b) => [
        `blob${b}.recovering.awaitingMetadata`,
        `blob${b}.recovering.choosingStep: always [lacksMetadata] → blob${b}.recovering.awaitingMetadata`,
      ]),
    ),
    "cursor.idle: ChallengeStart [wellFormed and aheadOfChainOrder] → (stays)": CHALLENGE_START_FIRST,
  };
}

/** The reasons, by machine page name and item. */
export const REASONS: Reasons = {
  "epoch-storage-node": {
    ...objectDeletion(1, true),
    ...EPOCH_NODE,
    ...STORED_BLOB_REGION,
    ...each(STORED_BEFORE_THE_MODEL, [
      "cursor.idle: BlobCertified [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: BlobCertified [wellFormed and inChainOrder] → cursor.passing",
      "cursor.idle: BlobRegistered [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: BlobRegistered [wellFormed and inChainOrder] → cursor.passing",
    ]),
    ...each(NO_INVALIDATION_WITH_EPOCHS, [
      "cursor.idle: InvalidBlobID [wellFormed and aheadOfChainOrder] → (stays)",
      "cursor.idle: InvalidBlobID [wellFormed and inChainOrder] → cursor.passing",
      "serving: VerifyInconsistencyProof [wellFormed] → (stays)",
    ]),
  },
  "two-blob-epoch-storage-node": {
    ...objectDeletion(2, true),
    ...EPOCH_NODE,
    ...STORED_BLOB_REGION,
    ...each(TRANSFER_COMPLETES, [
      "blob0.awaitingSlivers: always [recoveryDue] → blob0.recovering",
      "blob0.recovering",
      "blob0.recovering.awaitingMetadata",
      "blob0.recovering.choosingStep",
      "blob0.recovering.choosingStep: always [lacksMetadata] → blob0.recovering.awaitingMetadata",
      "blob0.recovering.choosingStep: always [lacksPrimarySlivers] → blob0.recovering.recoveringPrimary",
      "blob0.recovering.choosingStep: always [lacksSecondarySlivers] → blob0.recovering.recoveringSecondary",
      "blob0.recovering.choosingStep: always → blob0.stored",
      "blob0.recovering.recoveringPrimary",
      "blob0.recovering.recoveringPrimary: always [symbolsSufficeForPrimary] → blob0.recovering.choosingStep",
      "blob0.recovering.recoveringSecondary",
      "blob0.recovering.recoveringSecondary: always [symbolsSufficeForSecondary] → blob0.recovering.choosingStep",
      "blob0.recovering: RecoverySymbolResponse [forBlob and fromPeer] → blob0.recovering.choosingStep",
      "shard3.ActiveRecover: ShardSyncFails [stillFilling] → (stays)",
      "shard3.ActiveRecover: always [shardRecovered] → shard3.Active",
      "shard3.ActiveSync: ShardSyncFails [stillFilling] → (stays)",
      "shard3.ActiveSync: ShardSyncTimeout [transferRunning] → shard3.ActiveRecover",
    ]),
    "blob1.deleted: chain.EpochChangeStart → (stays)":
      "The malicious writer's blob, invalidated, meeting an epoch's start: none of the seeded walks of the " +
      "simulated `epoch-change-4-two-blobs` (`DEFAULT_SIMULATION` in report/coverage-drivers.ts) invalidates it " +
      "before its one change starts, and `two-blobs-4` has no change.",
    ...each(TRANSFER_ENDS_SHORT, [
      "shard3.ActiveRecover",
      "shard3.ActiveSync: ShardSyncResponse [awaitedSyncResponse and transferEnds] → shard3.ActiveRecover",
    ]),
    "blob1.stored: always [recoveryDue] → blob1.recovering": GAINED_WHILE_HOLDING,
    "blob1: StoreSliverPairs [forBlob and metadataMatchesBlobId] → (stays)": SLIVER_FAILS_ITS_PROOF,
  },
  chain: {
    "registered: InvalidateBlobId [invalidation] → invalid": INVALID_BEFORE_CERTIFIED,
  },
  "challenge-chain": {
    "challenging: OthersCertified [othersToCertify] → (stays)":
      "`OthersCertified` comes only in `challenge-4-one-node`, where the other nodes hold 3 of 4 shards, a " +
      "quorum: recording them always ends the challenge (the branch before this one).",
  },
  "challenge-storage-node": { ...objectDeletion(1), ...challengeNode(1) },
  "three-blob-challenge-storage-node": {
    ...objectDeletion(3),
    ...challengeNode(3),
    ...each(LIGHTWEIGHT_CHEATER_BLOB_1, [
      ...unhealedBlob(0),
      ...unhealedBlob(2),
      "challenge: ReadResponse [rereadAnswer] → (stays)",
    ]),
  },
  "storage-node": {
    ...objectDeletion(1),
    "cursor.idle: BlobRegistered [wellFormed and aheadOfChainOrder] → (stays)":
      "A node's chain stream in the write-read models opens with the blob's registration (number 0), so it " +
      "is never ahead of its turn (a node with epochs, whose stream may open with epoch events, holds it).",
    "blob0: StoreSliverPairs [blobInvalid] → (stays)":
      "An upload that arrives after the invalidation. Only the malicious-writer models invalidate, from the " +
      "point of availability: the node that detects the inconsistency gets no upload, and every other upload " +
      "is delivered before that point.",
    "blob0: StoreSliverPairs [forBlob and metadataMatchesBlobId] → (stays)": SLIVER_FAILS_ITS_PROOF,
    "blob0.awaitingSlivers: always [holdsItsSlivers] → blob0.stored":
      "Only a blob the node holds from the start (`stored`, as the epoch-change models' blob certified " +
      "before the model) gets there without an upload; the models within one epoch start with nothing stored.",
  },
};
