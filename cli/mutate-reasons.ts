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

export interface SurvivorReason {
  readonly kind: "equivalent" | "gap";
  readonly why: string;
  /** The tracker's issue that closes the gap, when it needs more than a property or a model. */
  readonly issue?: number;
}

/** The reasons, by mutant or by rule. */
/**
 * Kinds of gap that recur, said once: what the models never send or never run.
 */
const NEVER_MALFORMED =
  "no model sends a malformed message (every Byzantine message is a real one in its sender's name), so a guard that lets one through changes nothing. Needs an adversary that sends malformed messages.";
const ONE_BLOB = "every model has one blob, so no message is ever about another one. Needs a node with many blobs.";
const OLD_COMMITTEE_SERVES =
  "in the epoch-change models the previous committee still holds and serves every blob after the change, so a party that keeps reading from it, or from the wrong committee, still reads the blob. Needs the shard lifecycle in which a node that moved a shard away drops it.";
const FULL_CHALLENGE =
  "only the one-node challenge models are searched: the other nodes' certificates land at once (OthersCertified), their requests and rebuilds are not played. The full challenge, where this matters, is explored by simulation only.";
const NOT_ANALYSED = "survives every model that runs it; not yet analysed: an equivalent mutant or a property missing.";

/** The reasons, by mutant or by rule. */
export const SURVIVOR_REASONS: Readonly<Record<string, SurvivorReason>> = {
  // --- the chain (machines/chain.ts, machines/epochs.ts, machines/chain-with-epochs.ts) ---
  "chain.alreadySyncedThisEpoch:never": {
    kind: "gap",
    why: "no node calls epoch_sync_done twice in an epoch, so a chain that counts a second call is not caught. Needs a member that repeats its call.",
    issue: 19,
  },
  "chain.recordSyncDone:skipped": {
    kind: "gap",
    why: "without the record of who synced, a second epoch_sync_done of the same node would count twice; no model has a node that calls twice. The ShardsReceived event it announces is read by no machine.",
    issue: 19,
  },
  "chain.syncForCurrentEpoch:always": {
    kind: "gap",
    why: "no node calls epoch_sync_done for an epoch other than the current one. Needs a node that sends a stale call.",
    issue: 19,
  },
  "chain.callerInCommittee:always": {
    kind: "gap",
    why: "only members call epoch_sync_done. Needs a caller outside the committee.",
    issue: 19,
  },
  "chain.countsAssignEveryShard:always": {
    kind: "gap",
    why: "the epoch driver only ever proposes shard counts that assign every shard. Needs a caller that proposes counts that do not.",
    issue: 19,
  },
  "chain.blobIdDerivesFromRootHash:always": {
    kind: "gap",
    why: "only the honest writer registers a blob, under the ID its metadata derives. Needs a party that registers a blob under another ID.",
    issue: 19,
  },
  "chain.certificateForThisBlob:always": {
    kind: "gap",
    why: "only the writer submits certificates, each for its own blob. Needs a party that submits its own certificates.",
    issue: 19,
  },
  "chain.certificateIsQuorum": {
    kind: "gap",
    why: "only the honest writer submits a certificate, always of a full quorum: no model submits one short of it, so a chain that accepts it is not caught. Needs a party that submits its own certificates, too small or stale.",
    issue: 19,
  },
  "chain.certificateOfCurrentEpoch:always": {
    kind: "gap",
    why: "no certificate of an earlier epoch reaches the chain. Needs a party that submits a stale certificate.",
    issue: 19,
  },
  "chain.recordInvalidation:skipped": { kind: "gap", why: NOT_ANALYSED },
  "chain.blobAlreadyCertified": {
    kind: "gap",
    why: "written twice: epochs.ts certifies blobs for its own models, chain.ts for the default ones, and the chain with epochs keeps chain.ts's. No default model runs the epochs machine's certification; one of the two goes when the machines become one.",
    issue: 16,
  },
  "chain.blobAlreadyInvalidated": {
    kind: "gap",
    why: "the epochs machine's own invalidation, which no default model runs (see chain.blobAlreadyCertified).",
    issue: 16,
  },
  "chain.certify": {
    kind: "gap",
    why: "the epochs machine's own certification, which no default model runs.",
    issue: 16,
  },
  "chain.invalidate": {
    kind: "gap",
    why: "the epochs machine's own invalidation, which no default model runs.",
    issue: 16,
  },
  "chain.signersAboveValidity": {
    kind: "gap",
    why: "the epochs machine's own invalidation check, which no default model runs.",
    issue: 16,
  },
  "chain.signersAreQuorum": {
    kind: "gap",
    why: "the epochs machine's own certificate check, which no default model runs.",
    issue: 16,
  },
  "chain.signersInCommittee": {
    kind: "gap",
    why: "the epochs machine's own certificate check, which no default model runs.",
    issue: 16,
  },

  // --- the challenge's chain (machines/challenge-chain.ts) ---
  "chain-challenge.alreadyCertified:never": {
    kind: "gap",
    why: "no node posts its challenge certificate twice. Needs a node that does.",
    issue: 19,
  },
  "chain-challenge.certificateIsValid:always": {
    kind: "gap",
    why: "every challenge certificate that reaches the chain is valid. Needs a node that posts an invalid one.",
    issue: 19,
  },
  "chain-challenge.certificateIsValid:lowered": {
    kind: "gap",
    why: "nodes post a challenge certificate only once they hold signatures of 2f + 1 shards, so the chain never sees one a shard short. Needs a node that posts a certificate of too few signatures.",
    issue: 19,
  },
  "chain-challenge.coinAsVariantNeeds:always": {
    kind: "gap",
    why: "the challenge is always started with the coin its variant needs. Needs a caller that starts it wrongly.",
    issue: 19,
  },
  "chain-challenge.certificatesSuffice": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "chain-challenge.othersEndIt": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "chain-challenge.othersToCertify:always": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },

  // --- the challenge node (machines/challenge-node.ts) ---
  "challengeNode.fromMember:always": {
    kind: "gap",
    why: "no message comes from outside the committee. Needs an adversary outside it.",
    issue: 19,
  },
  "challengeNode.inChainOrder:always": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.rebuilds:never": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.requestsHeld:never": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.unwithheldRequestsHeld:never": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.answerRecoveryRequests": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.answerUnwithheldRequests": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.holdRecoveryRequest": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.recoveryAsked": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.requestRebuild": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },
  "challengeNode.takeRecoverySymbols": { kind: "gap", why: FULL_CHALLENGE, issue: 17 },

  // --- the epoch-change node (machines/epoch-change-node.ts) ---
  "epochChangeNode.endEpochChange:skipped": { kind: "gap", why: OLD_COMMITTEE_SERVES, issue: 16 },
  "epochChangeNode.recoveryAsked:always": {
    kind: "equivalent",
    why: "takeRecoverySymbols keeps nothing for a blob whose symbols the node is not collecting, so taking a response it did not ask for changes nothing.",
  },
  "epochChangeNode.fillingShards:always": { kind: "gap", why: NOT_ANALYSED },
  "epochChangeNode.transferRunning:always": { kind: "gap", why: NOT_ANALYSED },
  "epochChangeNode.inChainOrder:always": {
    kind: "gap",
    why: "the chain's events reach each epoch-change node in the order they were numbered in every model. Needs the write and the epoch change in one model, whose events interleave.",
    issue: 16,
  },
  "epochChangeNode.knownEpoch:always": {
    kind: "gap",
    why: "no message names an epoch the node does not know. Needs an adversary that sends one.",
    issue: 19,
  },
  "epochChangeNode.wellFormed:always": { kind: "gap", why: NEVER_MALFORMED, issue: 19 },
  "epochChangeNode.wellFormedSyncRequest:always": { kind: "gap", why: NEVER_MALFORMED, issue: 19 },
  "epochChangeNode.blobRegistered": {
    kind: "gap",
    why: "the epoch-change node's write path (a blob registered, uploaded and certified during the change) runs in no default model: their blob is stored before the change. Needs the write and the epoch change in one model.",
    issue: 16,
  },
  "epochChangeNode.certifyBlob": {
    kind: "gap",
    why: "the epoch-change node's write path; see epochChangeNode.blobRegistered.",
    issue: 16,
  },
  "epochChangeNode.holdUpload": {
    kind: "gap",
    why: "the epoch-change node's write path; see epochChangeNode.blobRegistered.",
    issue: 16,
  },
  "epochChangeNode.registerBlob": {
    kind: "gap",
    why: "the epoch-change node's write path; see epochChangeNode.blobRegistered.",
    issue: 16,
  },
  "epochChangeNode.storeUpload": {
    kind: "gap",
    why: "the epoch-change node's write path; see epochChangeNode.blobRegistered.",
    issue: 16,
  },

  // --- the reader (machines/reader.ts) ---
  "reader.startsImmediately": {
    kind: "equivalent",
    why: "when a read starts is the model's scenario, not a rule of the protocol: a client may read at any time, and the read properties judge each read by when it actually began, so a reader that starts earlier or later than its model says is still a legal reader.",
  },
  "reader.chooseReadCommittee:skipped": { kind: "gap", why: OLD_COMMITTEE_SERVES, issue: 16 },
  "reader.seeEpochChange:skipped": { kind: "gap", why: OLD_COMMITTEE_SERVES, issue: 16 },
  "reader.forThisBlob:always": { kind: "gap", why: ONE_BLOB, issue: 16 },
  "reader.decodesConsistently:always": {
    kind: "gap",
    why: "in the malicious-writer models the reader that decodes an inconsistent blob is also told the blob ID is invalid, or reads slivers that decode to the same bytes; a reader that asks once, from slivers that decode differently, would return a blob other readers do not.",
    issue: 19,
  },
  "reader.everyNodeAnswered:never": {
    kind: "gap",
    why: "in the model that runs it the reader always decides before the last node answers. Needs a reader that asks once and waits for every answer.",
    issue: 19,
  },
  "reader.newAnswer:always": {
    kind: "gap",
    why: "no node answers a read twice, so counting a repeated answer changes nothing. Needs a node that repeats its answer.",
    issue: 19,
  },
  "reader.finished:never": { kind: "gap", why: NOT_ANALYSED },
  "reader.returnBottom:skipped": { kind: "gap", why: NOT_ANALYSED },

  // --- the storage node (machines/storage-node.ts) ---
  "storageNode.forgetSymbols:skipped": {
    kind: "equivalent",
    why: "nothing reads the recovery symbols once the slivers are stored (the node leaves the recovering states for good), so keeping them changes no behaviour, only the size of the node's state.",
  },
  "storageNode.lacksMetadata:never": {
    kind: "equivalent",
    why: "without metadata no symbol verifies (symbolsSuffice needs it), so a node that skips awaitingMetadata waits in recoveringSecondary instead, for the same RecoverySymbolResponse that brings the metadata and re-enters the choice.",
  },
  "storageNode.forThisBlob:always": { kind: "gap", why: ONE_BLOB, issue: 16 },
  "storageNode.wellFormed:always": { kind: "gap", why: NEVER_MALFORMED, issue: 19 },
  "storageNode.fromPeer:always": {
    kind: "gap",
    why: "no recovery response comes from outside the committee or from the node itself. Needs an adversary outside it.",
    issue: 19,
  },
  "storageNode.attestationIsValid:always": {
    kind: "gap",
    why: "every invalid-blob attestation comes from a member, for the current epoch. Needs an adversary that sends a stale or outside attestation.",
    issue: 19,
  },
  "storageNode.metadataMatchesBlobId:always": {
    kind: "gap",
    why: "every upload carries the metadata of the blob ID it names. Needs a writer that uploads metadata that does not match.",
    issue: 19,
  },
  "storageNode.uploadCompletesStorage:always": {
    kind: "gap",
    why: "every upload carries both slivers of every pair of the node. Needs a writer that uploads one axis without the other.",
    issue: 19,
  },
  "storageNode.lacksSlivers:always": {
    kind: "gap",
    why: "a node that stores everything never sees the certification while still in awaitingSlivers in a way the forced recovery would change. Needs a writer that uploads part of a node's slivers.",
    issue: 19,
  },
  "storageNode.aheadOfChainOrder:always": { kind: "gap", why: NOT_ANALYSED },
  "storageNode.inChainOrder:always": { kind: "gap", why: NOT_ANALYSED },
  "storageNode.blobInvalid:never": {
    kind: "gap",
    why: "no upload reaches a node after it deleted an invalid blob: only the malicious writer's blob is invalidated, and its upload is over by then. Needs a writer that uploads late.",
    issue: 19,
  },
  "storageNode.deleteBlob:skipped": {
    kind: "gap",
    why: "no property reads what a node holds once the blob ID is invalid (readers are told ⊥ by the chain, whatever the node still serves). A property that a correct node serves nothing of an invalid blob would catch it.",
  },
  "storageNode.attestOwnProof:skipped": { kind: "gap", why: NOT_ANALYSED },
  "storageNode.invalidationSubmitted:never": { kind: "gap", why: NOT_ANALYSED },

  // --- the writer (machines/writer.ts) ---
  "writer.confirmationIsValid:always": {
    kind: "gap",
    why: "the chain checks a certificate's signers, not what each signed, and no node confirms another epoch or other shards; so a writer that counts such a confirmation is not caught. Needs a node that confirms wrongly and a certificate of signed statements.",
    issue: 19,
  },
  "writer.forThisBlob:always": { kind: "gap", why: ONE_BLOB, issue: 16 },
  "writer.newerEpoch": {
    kind: "gap",
    why: "no default model writes during an epoch change (paper §6: writes go to the new committee). Needs the write and the epoch change in one model.",
    issue: 16,
  },
  "writer.writeToNewCommittee": {
    kind: "gap",
    why: "no default model writes during an epoch change; see writer.newerEpoch.",
    issue: 16,
  },
};

/** The reason written for a mutant, if any: its own, else its rule's. */
export function reasonFor(mutant: Pick<MutantResult, "name" | "machine" | "rule">): SurvivorReason | undefined {
  return SURVIVOR_REASONS[mutant.name] ?? SURVIVOR_REASONS[`${mutant.machine}.${mutant.rule}`];
}
