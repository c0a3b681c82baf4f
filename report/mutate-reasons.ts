/**
 * Why each mutant that no default model kills survives, written beside the code it is about: an
 * *equivalent* mutant changes no behaviour the protocol has (the reason says why), a *gap* is a
 * behaviour no model or property reads yet (the reason says what would, and names the issue that
 * brings it when it needs a new kind of fault). docs/rule-coverage.md shows these beside the
 * campaign's verdicts; the tests require one for every survivor and rule not reached.
 *
 * A reason is given for one mutant (`machine.rule:kind`) or for every mutant of a rule
 * (`machine.rule`).
 */

import type { MutantResult } from "./mutate-campaign.js";

/** Why a mutant survives: equivalent, or a gap and what would close it. */
export interface SurvivorReason {
  readonly kind: "equivalent" | "gap";
  readonly why: string;
  /** The tracker's issue that closes the gap, when it needs more than a property or a model. */
  readonly issue?: number;
}

/** A survivor no behaviour of the protocol tells from its rule. */
const equivalent = (why: string): SurvivorReason => ({ kind: "equivalent", why });
/** A gap that needs the adversary of issue 19: parties that send what no model's parties send yet. */
const needsAdversary = (why: string): SurvivorReason => ({ kind: "gap", why, issue: 19 });
/** A gap that a model or a property of the kind the catalogue already has would close. */
const modelGap = (why: string): SurvivorReason => ({ kind: "gap", why });
/** A gap that needs a model searched that is only simulated today (issue 17). */
const needsSearch = (why: string): SurvivorReason => ({ kind: "gap", why, issue: 17 });

/** The reasons, by mutant or by rule. */
/**
 * Kinds of gap that recur, said once: what the models never send or never run.
 */
const NEVER_MALFORMED =
  "no model sends a malformed message (every Byzantine message is a real one in its sender's name), so a guard that lets one through changes nothing. Needs an adversary that sends malformed messages.";
const ONE_BLOB =
  "the searched model with two blobs (two-blobs-4) has one blob certified before it starts and one written: the writer and the reader never see a chain event or an answer about a blob other than their own. The model where they would (epoch-change-4-two-blobs, a read racing the change) is only simulated: its search outgrows the check's budget.";
const WRITE_DURING_CHANGE =
  "the write during an epoch change (an upload held until the node owns a shard, a confirmation asked of the new committee) runs only in the simulated models epoch-change-4-write and epoch-change-4-two-blobs, whose searches outgrow the check's budget.";
const RESTART =
  "a node that restarts behind the chain (LagDetected, CaughtUp, RestartShardSync) is in no model: crashes are permanent. Needs the crash-restart fault.";
/** No model deletes a `Blob` object or lets one end. */
const NO_OBJECT_ENDS =
  "no model of the catalogue deletes a Blob object or lets one end: the chain of the write, epoch-change and challenge models has one permanent object per blob, in a resource that outlives the model, so the node's record never loses it. test/walrus-machines.test.ts and test/node-status.test.ts drive the node through a deletion, a collection and a new registration. Needs the blob lifecycle's models.";
const OLD_COMMITTEE_SERVES =
  "in the epoch-change models the previous committee still holds and serves every blob after the change (a locked shard is served until it is removed, which no model does), so a party that keeps reading from it, or from the wrong committee, still reads the blob. Needs a model in which a node that moved a shard away removes it (two epochs on, in the implementation).";
const DELETED_NODE =
  "in the searched challenge models (challenge-4-one-node, challenge-4-lightweight-one-node) every node stores its slivers; a node that threw them away and rebuilds them is searched by recovery (challenge-4-deleted-one-node) or only simulated (challenge-4-deleted-primary-read and -secondary-read, by reading the blob back).";
const FULL_CHALLENGE =
  "only the one-node challenge models are searched: the other nodes' certificates land at once (OthersCertified), their requests and rebuilds are not played. The full challenge, where this matters, is explored by simulation only.";

/** The reasons, by mutant or by rule. */
export const SURVIVOR_REASONS: Readonly<Record<string, SurvivorReason>> = {
  // --- the chain (machines/chain.ts, machines/epochs.ts, machines/chain-with-epochs.ts) ---
  "chain.alreadySyncedThisEpoch:never": needsAdversary(
    "no node calls epoch_sync_done twice in an epoch, so a chain that counts a second call is not caught. Needs a member that repeats its call.",
  ),
  "chain.recordSyncDone:skipped": needsAdversary(
    "without the record of who synced, a second epoch_sync_done of the same node would count twice; no model has a node that calls twice. The ShardsReceived event it announces is read by no machine.",
  ),
  "chain.syncForCurrentEpoch:always": needsAdversary(
    "no node calls epoch_sync_done for an epoch other than the current one. Needs a node that sends a stale call.",
  ),
  "chain.callerInCommittee:always": needsAdversary(
    "only members call epoch_sync_done. Needs a caller outside the committee.",
  ),
  "chain.countsAssignEveryShard:always": needsAdversary(
    "the epoch driver only ever proposes shard counts that assign every shard. Needs a caller that proposes counts that do not.",
  ),
  "chain.blobIdDerivesFromRootHash:always": needsAdversary(
    "only the honest writer registers a blob, under the ID its metadata derives. Needs a party that registers a blob under another ID.",
  ),
  "chain.certificateForThisBlob:always": needsAdversary(
    "only the writer submits certificates, each for its own blob. Needs a party that submits its own certificates.",
  ),
  "chain.certificateIsQuorum": needsAdversary(
    "only the honest writer submits a certificate, always of a full quorum: no model submits one short of it, so a chain that accepts it is not caught. Needs a party that submits its own certificates, too small or stale.",
  ),
  "chain.certificateOfCurrentEpoch:always": needsAdversary(
    "no certificate of an earlier epoch reaches the chain. Needs a party that submits a stale certificate.",
  ),

  // --- the challenge's chain (machines/challenge-chain.ts) ---
  "chain-challenge.alreadyCertified:never": needsAdversary(
    "no node posts its challenge certificate twice. Needs a node that does.",
  ),
  "chain-challenge.certificateIsValid:always": needsAdversary(
    "every challenge certificate that reaches the chain is valid. Needs a node that posts an invalid one.",
  ),
  "chain-challenge.certificateIsValid:lowered": needsAdversary(
    "nodes post a challenge certificate only once they hold signatures of 2f + 1 shards, so the chain never sees one a shard short. Needs a node that posts a certificate of too few signatures.",
  ),
  "chain-challenge.coinAsVariantNeeds:always": needsAdversary(
    "the challenge is always started with the coin its variant needs. Needs a caller that starts it wrongly.",
  ),
  "chain-challenge.othersEndIt": needsSearch(FULL_CHALLENGE),
  "chain-challenge.othersToCertify:always": needsSearch(FULL_CHALLENGE),

  // --- the reader (machines/reader.ts) ---
  "reader.startsImmediately": equivalent(
    "when a read starts is the model's scenario, not a rule of the protocol: a client may read at any time, and the read properties judge each read by when it actually began, so a reader that starts earlier or later than its model says is still a legal reader.",
  ),
  "reader.chooseReadCommittee:skipped": modelGap(OLD_COMMITTEE_SERVES),
  "reader.seeEpochChange:skipped": modelGap(OLD_COMMITTEE_SERVES),
  "reader.forThisBlob:always": needsSearch(ONE_BLOB),
  "reader.everyNodeAnswered:never": needsAdversary(
    "in the model that runs it the reader always decides before the last node answers. Needs a reader that asks once and waits for every answer.",
  ),
  "reader.newAnswer:always": needsAdversary(
    "no node answers a read twice, so counting a repeated answer changes nothing. Needs a node that repeats its answer.",
  ),

  // --- the storage node (machines/node/) ---
  "storageNode.forgetSymbols:skipped": equivalent(
    "nothing reads the recovery symbols once the slivers are stored (the node leaves the recovering states for good), so keeping them changes no behaviour, only the size of the node's state.",
  ),
  "storageNode.lacksMetadata:never": equivalent(
    "without metadata no symbol verifies (symbolsSuffice needs it), so a node that skips awaitingMetadata waits in recoveringSecondary instead, for the same RecoverySymbolResponse that brings the metadata and re-enters the choice.",
  ),
  "storageNode.forBlob:always": needsSearch(ONE_BLOB),
  "storageNode.wellFormed:always": needsAdversary(NEVER_MALFORMED),
  "storageNode.fromPeer:always": needsAdversary(
    "no recovery response comes from outside the committee or from the node itself. Needs an adversary outside it.",
  ),
  "storageNode.attestationIsValid:always": needsAdversary(
    "every invalid-blob attestation comes from a member, for the current epoch. Needs an adversary that sends a stale or outside attestation.",
  ),
  "storageNode.metadataMatchesBlobId:always": needsAdversary(
    "every upload carries the metadata of the blob ID it names. Needs a writer that uploads metadata that does not match.",
  ),
  "storageNode.uploadCompletesStorage:always": needsAdversary(
    "every upload carries both slivers of every pair of the node. Needs a writer that uploads one axis without the other.",
  ),
  "storageNode.uploadCompletesStorage:negated": needsAdversary(
    "every upload in the models completes the node's slivers, so the negated guard acts as the guard forced false (:never, equivalent); it would differ on an incomplete upload, which it would take as complete. Needs a writer that uploads one axis without the other.",
  ),
  "storageNode.aheadOfChainOrder:always": equivalent(
    "an event held in its turn is taken up by the cursor's next step (nextEventHeld) in the same step of the node, so holding it first changes nothing.",
  ),
  "storageNode.inChainOrder:always": needsAdversary(
    "an event ahead of its turn is held before this guard is asked, so the mutant only takes events behind their turn: events already processed, delivered again. The chain sends each event once and no default model's network duplicates. Needs a network that delivers a chain event twice.",
  ),
  "storageNode.markBlobInvalid:skipped": needsAdversary(
    "the node's own record that the blob ID is invalid makes it answer ⊥ and refuse uploads; every reader in the models hears of the invalidation from the chain itself, and no upload comes after it. Needs a reader that asks the nodes once, after the invalidation, and takes their ⊥ (the implementation's BlobIdDoesNotExist).",
  ),
  "storageNode.blobInvalid:never": needsAdversary(
    "no upload reaches a node after it deleted an invalid blob: only the malicious writer's blob is invalidated, and its upload is over by then. Needs a writer that uploads late.",
  ),
  "storageNode.uploadCompletesStorage:never": equivalent(
    "an upload that completes the node's slivers but does not move it to stored leaves it in awaitingSlivers, whose always transition (holdsItsSlivers) moves it there in the same step.",
  ),
  "storageNode.knownEpoch:always": needsAdversary(
    "every node knows the committee of every epoch a chain event names. Needs an adversary that sends an epoch event of an epoch the node does not know.",
  ),
  "storageNode.hasPreviousOwner:always": modelGap(
    "in every model the committee before a change holds every shard, so a gained shard always has an owner to transfer it from. A first committee that holds no shards would tell them apart; test/node-status.test.ts drives that case.",
  ),
  "storageNode.transferRunning:always": modelGap(
    "no model times out a transfer that is not running: the models with timeouts never fail a filling for good, and those that fail one have no timeouts. Needs both in one model.",
  ),
  "storageNode.endEpochChange:skipped": modelGap(OLD_COMMITTEE_SERVES),
  "storageNode.holdsItsSlivers:never": equivalent(
    "the node serves, confirms, attests and recovers by the slivers it holds (holdsInShard, dueShards), not by the blob region's state, so a region left in awaitingSlivers while holding them after a transfer behaves as stored.",
  ),
  "storageNode.shardFilledBy:never": equivalent(
    "a transfer's last answer that fills the shard then takes it to ActiveRecover, whose always transition (shardRecovered) takes it to Active in the same step.",
  ),
  "storageNode.stillFilling:always": modelGap(
    "a shard whose filling failed fails again: the epoch it failed in moves on. Only the implementation's attestation (noTaskRunning) reads that epoch, and its one model is the attestation-gap counterexample, which fails before the difference shows.",
  ),
  "storageNode.collectExpiredObjects:skipped": modelGap(NO_OBJECT_ENDS),
  "storageNode.collectionRetiresBlob:never": modelGap(NO_OBJECT_ENDS),
  "storageNode.healingCancelled:never": modelGap(NO_OBJECT_ENDS),
  "storageNode.deletionRetiresBlob": modelGap(NO_OBJECT_ENDS),
  "storageNode.forgetRetiredBlob:skipped": modelGap(NO_OBJECT_ENDS),
  "storageNode.recordObjectDeleted:skipped": modelGap(NO_OBJECT_ENDS),
  "writer.recordObject:skipped": modelGap(
    "every writer of the catalogue registers its blob as the one permanent object of machines/chain.ts, for which the object it records is none, as it starts: the record changes nothing until a writer registers a deletable object. Needs the blob lifecycle's models.",
  ),
  "storageNode.transferEnds": modelGap(
    "a shard sync that is taken to end after the primary slivers (always), or after them only (negated), moves the shard to ActiveRecover, whose recovery brings the secondary slivers the transfer would have: the data arrive either way, and no property asks by which route. Needs a property of cost: a shard gained from a correct, live previous owner whose transfer never timed out is filled without recovery.",
  ),
  "epochDriver.countChangeDone:skipped": modelGap(
    "the driver, which stands for the permissionless callers, plans its last change again once it is done; the planned change completes first (what reconfiguration liveness asks) and the change it asks for after it is one no property speaks of. Needs a property of the model's environment: no epoch starts beyond the planned ones.",
  ),
  "storageNode.stopTransfer:skipped": equivalent(
    "a shard leaves ActiveSync when its transfer stops (a timeout, a lock), and only ActiveSync reads the running transfer (awaitedSyncResponse, transferRunning): what the record keeps of it afterwards changes what the node's view shows (test/node-status.test.ts checks it), not what the node does.",
  ),
  "storageNode.uploadHeld": needsSearch(WRITE_DURING_CHANGE),
  "storageNode.retryHeldUpload": needsSearch(WRITE_DURING_CHANGE),
  "storageNode.ownsNoShard": needsSearch(WRITE_DURING_CHANGE),
  "storageNode.recordIncompleteHistory": needsAdversary(RESTART),
  "storageNode.setRecoveryEpoch": needsAdversary(RESTART),
  "storageNode.staysInCommittee": needsAdversary(RESTART),
  "storageNode.retryShardTransfer": needsAdversary(RESTART),
  "storageNode.invalidationSubmitted:never": equivalent(
    "the attestations are read only by attestationsSuffice, which itself refuses once the invalidation went to the chain, so recording more of them afterwards changes what the node keeps, not what it does.",
  ),

  "storageNode.requestSliversToReread:skipped": needsSearch(DELETED_NODE),
  "storageNode.rereadAnswer": needsSearch(DELETED_NODE),
  "storageNode.takeReadSlivers:skipped": needsSearch(DELETED_NODE),

  // --- the writer (machines/writer.ts) ---
  "writer.confirmationIsValid:always": needsAdversary(
    "the chain checks a certificate's signers, not what each signed, and no node confirms another epoch or other shards; so a writer that counts such a confirmation is not caught. Needs a node that confirms wrongly and a certificate of signed statements.",
  ),
  "writer.forThisBlob:always": needsSearch(ONE_BLOB),
  "writer.newerEpoch": needsSearch(WRITE_DURING_CHANGE),
  "writer.writeToNewCommittee": needsSearch(WRITE_DURING_CHANGE),
};

/** The reason written for a mutant, if any: its own, else its rule's. */
export function reasonFor(mutant: Pick<MutantResult, "name" | "machine" | "rule">): SurvivorReason | undefined {
  return SURVIVOR_REASONS[mutant.name] ?? SURVIVOR_REASONS[`${mutant.machine}.${mutant.rule}`];
}
