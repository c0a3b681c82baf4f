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
export const SURVIVOR_REASONS: Readonly<Record<string, SurvivorReason>> = {
  // --- the chain (machines/chain.ts, machines/challenge-chain.ts) ---
  "chain.certificateIsQuorum:lowered": {
    kind: "gap",
    why: "only the honest writer submits a certificate, always of a full quorum: no model submits one a shard short, so a chain that accepts it is not caught. Needs a party that submits its own certificates, too small or stale.",
    issue: 19,
  },
  "chain-challenge.certificateIsValid:lowered": {
    kind: "gap",
    why: "nodes post a challenge certificate only once they hold signatures of 2f + 1 shards, so the chain never sees one a shard short. Needs a node that posts a certificate of too few signatures.",
    issue: 19,
  },
  "chain-challenge.certificatesSuffice:lowered": {
    kind: "gap",
    why: "in the one-node models that are searched, the other nodes' certificates land at once (OthersCertified), so the certified weight jumps past 2f + 1 and a threshold one shard lower never decides otherwise. The full challenge, where certificates arrive one by one, is explored by simulation only.",
    issue: 17,
  },
  "chain-challenge.othersEndIt:lowered": {
    kind: "gap",
    why: "the other nodes' certificates land at once and already hold 2f + 1 shards with the played node's, so one shard less never decides otherwise. Needs the full challenge searched, where certificates arrive one by one.",
    issue: 17,
  },

  // --- the reader (machines/reader.ts) ---
  "reader.startsImmediately": {
    kind: "equivalent",
    why: "when a read starts is the model's scenario, not a rule of the protocol: a client may read at any time, and the read properties judge each read by when it actually began, so a reader that starts earlier or later than its model says is still a legal reader.",
  },

  // --- the storage node (machines/storage-node.ts) ---
  "storageNode.forgetSymbols:skipped": {
    kind: "equivalent",
    why: "nothing reads the recovery symbols once the slivers are stored (the node leaves the recovering states for good), so keeping them changes no behaviour, only the size of the node's state.",
  },
  "storageNode.lacksMetadata:never": {
    kind: "equivalent",
    why: "without metadata no symbol verifies (symbolsSuffice needs it), so a node that skips awaitingMetadata waits in recoveringSecondary instead, for the same RecoverySymbolResponse that brings the metadata and re-enters the choice.",
  },
};

/** The reason written for a mutant, if any: its own, else its rule's. */
export function reasonFor(mutant: Pick<MutantResult, "name" | "machine" | "rule">): SurvivorReason | undefined {
  return SURVIVOR_REASONS[mutant.name] ?? SURVIVOR_REASONS[`${mutant.machine}.${mutant.rule}`];
}
